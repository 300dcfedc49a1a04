package io.beamml.training.card;

/** Escaping for the HTML pages this module writes (model cards, drift reports). */
public final class Html {

  private Html() {}

  /**
   * {@code s} as HTML text or attribute value: the five characters HTML gives meaning to are
   * escaped.
   */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<':
          b.append("&lt;");
          break;
        case '>':
          b.append("&gt;");
          break;
        case '&':
          b.append("&amp;");
          break;
        case '"':
          b.append("&quot;");
          break;
        case '\'':
          b.append("&#39;");
          break;
        default:
          b.append(c);
      }
    }
    return b.toString();
  }
}
