package io.beamml.testdata;

import static org.junit.Assert.assertEquals;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The hand-written ISO formatting agrees with java.time, offset by offset. */
public class IsoTimeTest {
  private static final DateTimeFormatter WITH_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");
  private static final DateTimeFormatter WITHOUT_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

  @Test
  public void writesTheSameTextAsJavaTimeAndParsesBackToTheSameInstant() {
    List<Long> instants = new ArrayList<>();
    instants.add(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    instants.add(Instant.parse("2025-12-31T23:59:59.999Z").toEpochMilli());
    instants.add(Instant.parse("2028-02-29T22:30:00.001Z").toEpochMilli());
    instants.add(Instant.parse("1990-01-01T02:00:00Z").toEpochMilli());
    instants.add(Instant.parse("2100-12-31T23:00:00Z").toEpochMilli());
    instants.add(Instant.parse("2000-03-01T00:00:00Z").toEpochMilli());
    Rng rng = new Rng(99);
    long from = Instant.parse("1989-06-01T00:00:00Z").toEpochMilli();
    long to = Instant.parse("2101-06-01T00:00:00Z").toEpochMilli();
    for (int i = 0; i < 4_000; i++) {
      instants.add(from + rng.nextLong(to - from));
    }
    for (long ms : instants) {
      for (int o = 0; o < IsoTime.offsetCount(); o++) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(IsoTime.offsetSeconds(o));
        OffsetDateTime expected = Instant.ofEpochMilli(ms).atOffset(offset);
        String withMillis = IsoTime.instant(ms, o, true);
        String withoutMillis = IsoTime.instant(ms - Math.floorMod(ms, 1000L), o, false);
        String javaMillis = expected.format(WITH_MILLIS);
        String javaSeconds = expected.withNano(0).format(WITHOUT_MILLIS);
        if (o == 1) { // UTC written as +00:00 rather than Z
          javaMillis = javaMillis.replace("Z", "+00:00");
          javaSeconds = javaSeconds.replace("Z", "+00:00");
        }
        assertEquals(javaMillis, withMillis);
        assertEquals(javaSeconds, withoutMillis);
        assertEquals(ms, ContractReader.instant(withMillis).toEpochMilli());
        assertEquals(offset, ContractReader.offset(withMillis));
      }
    }
  }

  @Test
  public void writesDatesLikeLocalDate() {
    for (long day = LocalDate.of(1969, 1, 1).toEpochDay();
        day <= LocalDate.of(2105, 1, 1).toEpochDay();
        day++) {
      assertEquals(LocalDate.ofEpochDay(day).toString(), IsoTime.date(day));
    }
  }

  @Test
  public void zeroOffsetIsWrittenBothWays() {
    long ms = Instant.parse("2026-01-02T03:04:05.006Z").toEpochMilli();
    assertEquals("2026-01-02T03:04:05.006Z", IsoTime.instant(ms, 0, true));
    assertEquals("2026-01-02T03:04:05.006+00:00", IsoTime.instant(ms, 1, true));
    assertEquals("2026-01-01T22:04:05-05:00", IsoTime.instant(ms, 4, false));
    assertEquals("2026-01-01T23:34:05.006-03:30", IsoTime.instant(ms, 8, true));
  }
}
