package io.beamml.runners;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The command-line flags a Beam options interface takes: its getters' property names, inherited
 * ones included.
 */
public final class OptionFlags {

  private OptionFlags() {}

  public static Set<String> of(Class<? extends PipelineOptions> type) {
    Set<String> flags = new TreeSet<>();
    for (Method m : type.getMethods()) {
      String name = m.getName();
      if (m.getParameterCount() == 0 && name.startsWith("get") && name.length() > 3) {
        flags.add(Character.toLowerCase(name.charAt(3)) + name.substring(4));
      } else if (m.getParameterCount() == 0 && name.startsWith("is") && name.length() > 2) {
        flags.add(Character.toLowerCase(name.charAt(2)) + name.substring(3));
      }
    }
    return flags;
  }
}
