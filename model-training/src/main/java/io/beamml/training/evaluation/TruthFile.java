package io.beamml.training.evaluation;

import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The true response probabilities a synthetic data generator used, as CSV {@code
 * promo_id,customer_id,probability} (header optional). Customer ids there are raw while examples
 * carry pseudonymised keys, so rows join on promo id alone, which must be unique; given the HMAC
 * key the set was built with ({@link #keyedBy}) they join on promo id and customer key, so the
 * truth of another data set that reuses promo ids matches nothing instead of the wrong rows.
 */
public final class TruthFile {

  private final String location;
  private final Map<String, Double> byPromoId;
  private final @Nullable Map<String, Double> byPromoAndCustomerKey;
  private final List<String[]> rows;

  private TruthFile(
      String location,
      Map<String, Double> byPromoId,
      @Nullable Map<String, Double> byPromoAndCustomerKey,
      List<String[]> rows) {
    this.location = location;
    this.byPromoId = byPromoId;
    this.byPromoAndCustomerKey = byPromoAndCustomerKey;
    this.rows = rows;
  }

  /**
   * The same truth joined on promo id and the customer key {@code key} gives each raw customer id.
   */
  public TruthFile keyedBy(HmacKey key) {
    Pseudonymiser pseudonymiser = new Pseudonymiser(key);
    Map<String, Double> keyed = new HashMap<>();
    for (String[] row : rows) {
      keyed.put(joinKey(row[0], pseudonymiser.pseudonym(row[1])), Double.parseDouble(row[2]));
    }
    return new TruthFile(location, byPromoId, keyed, rows);
  }

  private static String joinKey(String promoId, String customerKey) {
    return promoId + "\n" + customerKey;
  }

  public static TruthFile read(String path) {
    Map<String, Double> probabilities = new HashMap<>();
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(
                    FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId())),
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
              path
                  + " line "
                  + lineNo
                  + ": expected promo_id,customer_id,probability, got "
                  + cells.length
                  + " cells");
        }
        double p;
        try {
          p = Double.parseDouble(cells[2].trim());
        } catch (NumberFormatException e) {
          if (lineNo == 1) {
            continue;
          }
          throw new IllegalArgumentException(
              path + " line " + lineNo + ": probability is not a number", e);
        }
        if (!(p >= 0 && p <= 1)) {
          throw new IllegalArgumentException(
              path + " line " + lineNo + ": probability " + p + " is outside [0, 1]");
        }
        String promoId = cells[0].trim();
        rows.add(new String[] {promoId, cells[1].trim(), Double.toString(p)});
        Double previous = probabilities.put(promoId, p);
        if (previous != null && previous != p) {
          throw new IllegalArgumentException(
              path
                  + " gives promo "
                  + promoId
                  + " two probabilities ("
                  + previous
                  + ", "
                  + p
                  + "): the truth joins on promo id, which must then be unique");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read truth file " + path, e);
    }
    if (probabilities.isEmpty()) {
      throw new IllegalArgumentException("truth file " + path + " holds no probabilities");
    }
    return new TruthFile(path, probabilities, null, rows);
  }

  public String location() {
    return location;
  }

  public int size() {
    return byPromoId.size();
  }

  /**
   * The true probability of a promo sent to a customer, or null if the file has none: joined on
   * promo id alone, or on promo id and customer key once {@link #keyedBy keyed}.
   */
  public @Nullable Double probability(String promoId, String customerKey) {
    if (byPromoAndCustomerKey != null) {
      return byPromoAndCustomerKey.get(joinKey(promoId, customerKey));
    }
    return byPromoId.get(promoId);
  }
}
