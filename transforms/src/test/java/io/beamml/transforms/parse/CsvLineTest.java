package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.MALFORMED_CSV;
import static org.junit.Assert.assertEquals;

import java.util.List;
import org.junit.Test;

public class CsvLineTest {

  @Test
  public void splitsPlainFields() throws ParseFailure {
    assertEquals(List.of("a", "b", "c"), CsvLine.split("a,b,c"));
  }

  @Test
  public void keepsEmptyFieldsAndWhitespace() throws ParseFailure {
    assertEquals(List.of("", " b ", ""), CsvLine.split(", b ,"));
    assertEquals(List.of(""), CsvLine.split(""));
  }

  @Test
  public void quotedFieldsHoldCommasAndDoubledQuotes() throws ParseFailure {
    assertEquals(
        List.of("a,b", "say \"hi\"", "", "x"), CsvLine.split("\"a,b\",\"say \"\"hi\"\"\",\"\",x"));
    assertEquals(List.of("\""), CsvLine.split("\"\"\"\""));
    assertEquals(List.of("end,", "last"), CsvLine.split("\"end,\",\"last\""));
  }

  @Test
  public void unbalancedQuoteIsMalformed() {
    assertMalformed("a,\"b,c");
    assertMalformed("\"");
    assertMalformed("a,\"b\"\"");
  }

  @Test
  public void strayQuotesAreMalformed() {
    assertMalformed("a,b\"c,d");
    assertMalformed("a,\"b\"c,d");
    assertMalformed("a, \"b\"");
  }

  private static void assertMalformed(String line) {
    try {
      List<String> fields = CsvLine.split(line);
      throw new AssertionError("expected malformed_csv for <" + line + ">, got " + fields);
    } catch (ParseFailure e) {
      assertEquals(MALFORMED_CSV, e.reason());
    }
  }
}
