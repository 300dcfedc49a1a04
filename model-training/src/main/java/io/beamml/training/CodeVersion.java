package io.beamml.training;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this code, recorded with every model it trains or imports. */
public final class CodeVersion {

  private static final String RESOURCE = "/io/beamml/training/build.properties";

  private CodeVersion() {}

  /** The build's project version, or "dev" when run from unfiltered sources. */
  public static String get() {
    try (InputStream in = CodeVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v;
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String implementation = CodeVersion.class.getPackage().getImplementationVersion();
    return implementation != null ? implementation : "dev";
  }
}
