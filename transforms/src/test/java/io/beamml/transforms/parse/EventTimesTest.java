package io.beamml.transforms.parse;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

public class EventTimesTest {

  @Test
  public void readsClickEventTime() {
    assertEquals(
        Long.valueOf(ClickJsonParserTest.EIGHT_UTC),
        EventTimes.clickEventTime(ClickJsonParserTest.GOOD));
    assertEquals(
        Long.valueOf(ClickJsonParserTest.EIGHT_UTC),
        EventTimes.clickEventTime(
            "{\"skip\":{\"event_time\":\"1999-01-01T00:00:00Z\"},"
                + "\"event_time\":\"2026-01-05T08:00:00Z\",\"rest\":[1,2"));
  }

  @Test
  public void readsOrderEventTime() {
    assertEquals(
        Long.valueOf(OrderCsvParserTest.EIGHT_UTC),
        EventTimes.orderEventTime(OrderJsonParserTest.GOOD));
  }

  @Test
  public void nullWhenTheTimeCannotBeRead() {
    assertNull(EventTimes.clickEventTime("not json"));
    assertNull(EventTimes.clickEventTime("[]"));
    assertNull(EventTimes.clickEventTime("{\"event_id\":\"e1\"}"));
    assertNull(EventTimes.clickEventTime("{\"event_time\":1767600000000}"));
    assertNull(EventTimes.clickEventTime("{\"event_time\":\"2026-01-05T08:00:00\"}"));
    assertNull(EventTimes.orderEventTime(ClickJsonParserTest.GOOD));
    assertNull(EventTimes.responseSentTime(ClickJsonParserTest.GOOD));
  }

  @Test
  public void readsTheSentTimeOfAResponse() {
    assertEquals(
        Long.valueOf(java.time.Instant.parse("2026-01-05T13:00:00Z").toEpochMilli()),
        EventTimes.responseSentTime(
            "{\"promo_id\":\"P1\",\"customer_id\":\"C1\",\"sent_time\":\"2026-01-05T08:00:00-05:00\",\"responded\":1}"));
  }
}
