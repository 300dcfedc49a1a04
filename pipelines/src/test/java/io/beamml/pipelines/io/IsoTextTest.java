package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.Test;

/** {@link IsoText} writes exactly what {@code java.time} writes, at every edge it handles. */
public class IsoTextTest {

  private static void assertSameAsJavaTime(long millis) {
    Instant instant = Instant.ofEpochMilli(millis);
    assertEquals(instant.toString(), IsoText.instant(millis));
    assertEquals(instant.atZone(ZoneOffset.UTC).toLocalDate().toString(), IsoText.dateOf(millis));
  }

  @Test
  public void edgesOfDaysYearsLeapDaysAndTheFourDigitRange() {
    long[] edges = {
      0L,
      -1L,
      1L,
      999L,
      1000L,
      86_399_999L,
      86_400_000L,
      Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli(),
      Instant.parse("2024-03-01T00:00:00Z").toEpochMilli(),
      Instant.parse("1900-02-28T12:00:00.010Z").toEpochMilli(),
      Instant.parse("2000-02-29T00:00:00.100Z").toEpochMilli(),
      Instant.parse("1969-12-31T23:59:59.001Z").toEpochMilli(),
      Instant.parse("0000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("0000-01-01T00:00:00Z").toEpochMilli() - 1,
      Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli(),
      Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli() + 1,
      Long.MAX_VALUE / 1000,
      Long.MIN_VALUE / 1000,
    };
    for (long millis : edges) {
      assertSameAsJavaTime(millis);
    }
  }

  @Test
  public void randomInstantsOverTenThousandYears() {
    Random random = new Random(7);
    long span = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    long start = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    for (int i = 0; i < 200_000; i++) {
      long millis = start + Math.floorMod(random.nextLong(), span - start);
      assertSameAsJavaTime(i % 2 == 0 ? millis : millis - millis % 1000);
    }
  }
}
