package io.beamml.training.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Facts about an XGBoost model file read from its bytes, not from the library that loads it:
 * loading and saving again would stamp the reader's own version on it.
 */
public final class XgboostModelFile {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] VERSION_KEY = "version".getBytes(StandardCharsets.US_ASCII);

  private XgboostModelFile() {}

  /**
   * The version that saved the model ("3.4.0"), from its top-level {@code version} field; null if
   * unreadable.
   */
  public static @Nullable String writerVersion(byte[] bytes, String format) {
    List<Long> parts = "json".equals(format) ? jsonVersion(bytes) : ubjVersion(bytes);
    if (parts == null || parts.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (Long p : parts) {
      b.append(b.length() == 0 ? "" : ".").append(p);
    }
    return b.toString();
  }

  /** True when readers older than 3.1 read this version's base_score correctly as stored. */
  public static boolean readableByOlderReaders(@Nullable String version) {
    if (version == null) {
      return false;
    }
    String[] p = version.split("\\.");
    int major = Integer.parseInt(p[0]);
    int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
    return major < 3 || (major == 3 && minor < 1);
  }

  private static @Nullable List<Long> jsonVersion(byte[] bytes) {
    try {
      JsonNode version = JSON.readTree(bytes).path("version");
      if (!version.isArray()) {
        return null;
      }
      List<Long> parts = new ArrayList<>();
      version.forEach(n -> parts.add(n.asLong()));
      return parts;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * UBJSON: the key {@code version} (length-prefixed, no 'S' marker) followed by an array of
   * integers: typed ({@code [$T#Nn v v v}), counted ({@code [#Nn Tv Tv Tv}, what XGBoost writes) or
   * open ({@code [Tv Tv Tv]}).
   */
  private static @Nullable List<Long> ubjVersion(byte[] b) {
    for (int i = 0; i + VERSION_KEY.length < b.length; i++) {
      if (!matchesAt(b, i, VERSION_KEY) || i == 0 || b[i - 1] != VERSION_KEY.length) {
        continue;
      }
      int at = i + VERSION_KEY.length;
      if (at >= b.length || b[at] != '[') {
        continue;
      }
      at++;
      List<Long> parts = new ArrayList<>();
      char type = 0;
      if (b[at] == '$') {
        type = (char) b[at + 1];
        at += 2;
      }
      long count = Long.MAX_VALUE;
      if (b[at] == '#') {
        char countType = (char) b[at + 1];
        count = readInt(b, at + 2, countType);
        at += 2 + width(countType);
      }
      for (long k = 0;
          k < count && at < b.length && (count != Long.MAX_VALUE || b[at] != ']');
          k++) {
        char t = type;
        if (t == 0) {
          t = (char) b[at++];
        }
        parts.add(readInt(b, at, t));
        at += width(t);
      }
      return parts;
    }
    return null;
  }

  private static boolean matchesAt(byte[] b, int i, byte[] what) {
    for (int k = 0; k < what.length; k++) {
      if (b[i + k] != what[k]) {
        return false;
      }
    }
    return true;
  }

  private static int width(char type) {
    switch (type) {
      case 'i':
      case 'U':
        return 1;
      case 'I':
        return 2;
      case 'l':
        return 4;
      case 'L':
        return 8;
      default:
        throw new IllegalArgumentException("not a UBJSON integer type: " + type);
    }
  }

  private static long readInt(byte[] b, int at, char type) {
    long v = 0;
    for (int k = 0; k < width(type); k++) {
      v = (v << 8) | (b[at + k] & 0xff);
    }
    if (type == 'i') {
      return (byte) v;
    }
    if (type == 'I') {
      return (short) v;
    }
    if (type == 'l') {
      return (int) v;
    }
    return v;
  }
}
