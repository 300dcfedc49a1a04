package io.beamml.transforms.parse;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.checkerframework.checker.nullness.qual.Nullable;

/** Test helper: the failure a parser must raise for a line. */
final class ParseFailures {

  private ParseFailures() {}

  static ParseFailure failureOf(LineParser<?> parser, String line) {
    try {
      Object record = parser.parse(line);
      fail("expected a parse failure for <" + line + "> but got " + record);
      throw new AssertionError("unreachable");
    } catch (ParseFailure e) {
      return e;
    }
  }

  static ParseFailure assertFails(
      LineParser<?> parser, String line, String reason, @Nullable Long eventTime) {
    ParseFailure failure = failureOf(parser, line);
    assertEquals("reason for <" + line + ">: " + failure.getMessage(), reason, failure.reason());
    assertEquals("event time for <" + line + ">", eventTime, failure.eventTimeMillis());
    return failure;
  }
}
