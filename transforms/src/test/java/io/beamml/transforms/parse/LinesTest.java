package io.beamml.transforms.parse;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import io.beamml.transforms.deadletter.Reasons;
import org.junit.Test;

public class LinesTest {

  @Test
  public void stripsByteOrderMarkAndOneCarriageReturn() {
    assertEquals("a,b", Lines.normalise("\uFEFFa,b\r"));
    assertEquals("a,b\r", Lines.normalise("a,b\r\r"));
    assertEquals("", Lines.normalise("\uFEFF"));
    assertEquals("", Lines.normalise("\r"));
    String clean = "a,b";
    assertSame(clean, Lines.normalise(clean));
  }

  @Test
  public void blankLinesFail() {
    for (String blank : new String[] {"", "   ", "\r", "\uFEFF", " \t\r"}) {
      try {
        Lines.normaliseNonBlank(blank);
        throw new AssertionError("expected blank_line for <" + blank + ">");
      } catch (ParseFailure e) {
        assertEquals(Reasons.BLANK_LINE, e.reason());
      }
    }
  }
}
