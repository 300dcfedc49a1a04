package io.beamml.runners;

import java.util.ArrayList;
import java.util.List;

/**
 * Accepts both {@code --name=value} (Beam's style) and {@code --name value} on the command line.
 */
public final class Args {

  private Args() {}

  public static String[] normalize(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean takesNext =
          a.startsWith("--")
              && !a.contains("=")
              && i + 1 < args.length
              && !args[i + 1].startsWith("--");
      if (takesNext) {
        out.add(a + "=" + args[++i]);
      } else {
        out.add(a);
      }
    }
    return out.toArray(new String[0]);
  }
}
