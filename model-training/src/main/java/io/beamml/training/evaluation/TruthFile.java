package io.beamml.training.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The true response probabilities a synthetic data generator used, as CSV
 * {@code promo_id,customer_id,probability} (header optional). Customer ids there are raw while
 * examples carry pseudonymised keys, so rows join on promo id alone, which must be unique.
 */
public final class TruthFile {

  private final String location;
  private final Map<String, Double> byPromoId;

  private TruthFile(String location, Map<String, Double> byPromoId) {
    this.location = location;
    this.byPromoId = byPromoId;
  }

  public static TruthFile read(String path) {
    Map<String, Double> probabilities = new HashMap<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId())),
                StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (cells.length != 3) {
          throw new IllegalArgumentException(
              path + " line " + lineNo + ": expected promo_id,customer_id,probability, got " + cells.length + " cells");
        }
        double p;
        try {
          p = Double.parseDouble(cells[2].trim());
        } catch (NumberFormatException e) {
          if (lineNo == 1) {
            continue;
          }
          throw new IllegalArgumentException(path + " line " + lineNo + ": probability is not a number", e);
        }
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException(path + " line " + lineNo + ": probability " + p + " is outside [0, 1]");
        }
        String promoId = cells[0].trim();
        Double previous = probabilities.put(promoId, p);
        if (previous != null && previous != p) {
          throw new IllegalArgumentException(
              path + " gives promo " + promoId + " two probabilities (" + previous + ", " + p
                  + "): the truth joins on promo id alone, which must then be unique");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read truth file " + path, e);
    }
    if (probabilities.isEmpty()) {
      throw new IllegalArgumentException("truth file " + path + " holds no probabilities");
    }
    return new TruthFile(path, probabilities);
  }

  public String location() {
    return location;
  }

  public int size() {
    return byPromoId.size();
  }

  public @Nullable Double probability(String promoId) {
    return byPromoId.get(promoId);
  }
}
