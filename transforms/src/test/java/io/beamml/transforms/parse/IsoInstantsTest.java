package io.beamml.transforms.parse;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** The fast path accepts only what ISO_OFFSET_DATE_TIME accepts, and reads the same instant. */
public class IsoInstantsTest {

  private static void agrees(String text) {
    long fast = IsoInstants.epochMillis(text);
    Long full;
    try {
      full =
          OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              .toInstant()
              .toEpochMilli();
    } catch (DateTimeException | ArithmeticException e) {
      full = null;
    }
    if (fast != IsoInstants.NOT_FAST) {
      assertNotEquals("fast path accepted what the formatter refuses: " + text, null, full);
      assertEquals(text, (long) full, fast);
    }
  }

  @Test
  public void readsTheContractsShapesAsTheFormatterDoes() {
    List<String> shapes =
        List.of(
            "2026-01-10T12:00:00Z",
            "2026-01-10T12:00:00.123Z",
            "2026-01-10T12:00:00.1Z",
            "2026-01-10T12:00:00.123456789Z",
            "2026-01-10T12:00:00+01:00",
            "2026-01-10T12:00:00.5-05:30",
            "2024-02-29T23:59:59Z",
            "1969-12-31T23:59:59.999Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59+18:00",
            "2026-01-10t12:00:00z",
            "2026-01-10T12:00:00-00:00",
            "1900-03-01T00:00:00Z",
            "2000-02-29T00:00:00Z");
    for (String s : shapes) {
      assertNotEquals(s, IsoInstants.NOT_FAST, IsoInstants.epochMillis(s));
      agrees(s);
    }
  }

  @Test
  public void leavesEverythingElseToTheFormatter() {
    List<String> others =
        List.of(
            "2023-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-10T24:00:00Z",
            "2026-01-10T12:60:00Z",
            "2026-01-10T12:00:60Z",
            "2026-01-10T12:00Z",
            "2026-01-10T12:00:00",
            "2026-01-10T12:00:00+19:00",
            "2026-01-10T12:00:00+18:01",
            "2026-01-10T12:00:00+0100",
            "2026-01-10T12:00:00.Z",
            "2026-01-10T12:00:00.1234567890Z",
            "2026-01-10 12:00:00Z",
            "+2026-01-10T12:00:00Z",
            "2026-1-10T12:00:00Z",
            "2026-01-10T12:00:00+01:00:30",
            "1900-02-29T00:00:00Z",
            "2026-01-10T12:00:00ZZ",
            "2026-01-10T12:00:00+01",
            "２026-01-10T12:00:00Z");
    for (String s : others) {
      agrees(s);
    }
    assertEquals(IsoInstants.NOT_FAST, IsoInstants.epochMillis("2026-01-10T12:00:00+0100"));
  }

  @Test
  public void agreesOnRandomDateTimes() {
    Random random = new Random(42);
    String chars = "0123456789-:TtZz+.";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  "%04d-%02d-%02dT%02d:%02d:%02d",
                  random.nextInt(10_000),
                  random.nextInt(14),
                  random.nextInt(33),
                  random.nextInt(26),
                  random.nextInt(62),
                  random.nextInt(62)));
      if (random.nextBoolean()) {
        b.append('.');
        int digits = random.nextInt(11);
        for (int d = 0; d < digits; d++) {
          b.append(random.nextInt(10));
        }
      }
      switch (random.nextInt(4)) {
        case 0 -> b.append('Z');
        case 1 ->
            b.append(
                String.format(
                    "%s%02d:%02d",
                    random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(62)));
        case 2 ->
            b.append(
                String.format(
                    "%s%02d%02d",
                    random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(62)));
        default -> {}
      }
      if (random.nextInt(10) == 0) {
        b.setCharAt(random.nextInt(b.length()), chars.charAt(random.nextInt(chars.length())));
      }
      agrees(b.toString());
    }
  }
}
