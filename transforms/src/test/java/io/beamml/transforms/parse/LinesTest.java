package io.beamml.transforms.parse;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import io.beamml.transforms.deadletter.Reasons;
import java.nio.charset.StandardCharsets;
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

  @Test
  public void measuresUtf8BytesExactlyAtTheLimit() {
    String ascii = "abcdefghij";
    assertFalse(Lines.exceedsUtf8Bytes(ascii, 10));
    assertTrue(Lines.exceedsUtf8Bytes(ascii, 9));
    // é is two bytes, € three, 😀 (a surrogate pair) four: 2 + 3 + 4 + 1 = 10 bytes.
    String mixed = "é€😀a";
    assertEquals(10, mixed.getBytes(StandardCharsets.UTF_8).length);
    assertFalse(Lines.exceedsUtf8Bytes(mixed, 10));
    assertTrue(Lines.exceedsUtf8Bytes(mixed, 9));
  }
}
