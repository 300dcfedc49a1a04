package io.beamml.training;

import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Promotions with a known logistic response under the default feature spec: clicks, carts and
 * orders raise the odds, age lowers them. Rows are in send-time order and split by time, test
 * latest. The true probabilities are kept for the oracle.
 */
final class SyntheticData {

  static final String[] GENDERS = {"F", "M", "X"};
  static final String[] COUNTRIES = {"DE", "FR", "GB", "IT", "ES", "NL", "PL", "SE", "US", "CA"};
  static final long START = 1_700_000_000_000L;

  final List<TrainingExample> examples = new ArrayList<>();
  final List<String> rawCustomerIds = new ArrayList<>();
  final List<Double> probabilities = new ArrayList<>();

  /** signal scales the linear predictor: 0 is pure noise, 1 a strong, learnable signal. */
  static SyntheticData generate(int rows, double signal, long seed) {
    SyntheticData d = new SyntheticData();
    Random r = new Random(seed);
    String fingerprint = FeatureSpec.defaultSpec().fingerprint();
    for (int i = 0; i < rows; i++) {
      int views = r.nextInt(20);
      int clicks = r.nextInt(6);
      int carts = r.nextInt(4);
      int orders = r.nextInt(3);
      double spend = orders * (10 + 90 * r.nextDouble());
      int orders1d = Math.min(orders, r.nextInt(2));
      int clicks1d = Math.min(clicks, r.nextInt(3));
      Integer age = r.nextInt(10) == 0 ? null : 18 + r.nextInt(60);
      String gender = GENDERS[r.nextInt(GENDERS.length)];
      String country = COUNTRIES[r.nextInt(COUNTRIES.length)];
      int tenure = r.nextInt(2000);
      double z =
          -3.3
              + 0.55 * clicks
              + 0.8 * carts
              + 0.6 * orders
              + 0.3 * clicks1d
              - 0.03 * ((age == null ? 40 : age) - 40)
              + ("F".equals(gender) ? 0.4 : 0.0);
      double p = 1 / (1 + Math.exp(-signal * z - (1 - signal) * -1.0));
      int label = r.nextDouble() < p ? 1 : 0;
      String split = i < rows * 0.6 ? "train" : i < rows * 0.8 ? "validation" : "test";
      List<FeatureValue> features = new ArrayList<>();
      features.add(num("views_7d", views));
      features.add(num("clicks_7d", clicks));
      features.add(num("carts_7d", carts));
      features.add(num("orders_7d", orders));
      features.add(num("spend_7d", spend));
      features.add(num("orders_1d", orders1d));
      features.add(num("clicks_1d", clicks1d));
      features.add(age == null ? missing("age") : num("age", age));
      features.add(text("gender", gender));
      features.add(text("country", country));
      features.add(num("tenure_days", tenure));
      String raw = "cust-" + (i % 700);
      d.examples.add(
          TrainingExample.newBuilder()
              .setPromoId("promo-" + i)
              .setCustomerKey("k" + Integer.toHexString(raw.hashCode()))
              .setSentTime(START + i * 60_000L)
              .setLabel(label)
              .setSplit(split)
              .setSpecFingerprint(fingerprint)
              .setFeatures(features)
              .build());
      d.rawCustomerIds.add(raw);
      d.probabilities.add(p);
    }
    return d;
  }

  /**
   * Writes DIR/examples/part-*.avro, the examples dealt round-robin after a shuffle by shuffleSeed.
   */
  static Path writeExamples(Path dir, List<TrainingExample> examples, int files, long shuffleSeed)
      throws IOException {
    List<TrainingExample> shuffled = new ArrayList<>(examples);
    Collections.shuffle(shuffled, new Random(shuffleSeed));
    Path examplesDir = Files.createDirectories(dir.resolve("examples"));
    List<DataFileWriter<TrainingExample>> writers = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      DataFileWriter<TrainingExample> w =
          new DataFileWriter<>(new SpecificDatumWriter<>(TrainingExample.class));
      w.create(
          TrainingExample.getClassSchema(),
          examplesDir.resolve(String.format("part-%05d.avro", f)).toFile());
      writers.add(w);
    }
    for (int i = 0; i < shuffled.size(); i++) {
      writers.get(i % files).append(shuffled.get(i));
    }
    for (DataFileWriter<TrainingExample> w : writers) {
      w.close();
    }
    return dir;
  }

  Path write(Path dir, int files) throws IOException {
    return writeExamples(dir, examples, files, 1);
  }

  /** CSV promo_id,customer_id,probability with the raw (not pseudonymised) customer ids. */
  Path writeTruth(Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("promo_id,customer_id,probability\n");
      for (int i = 0; i < examples.size(); i++) {
        w.write(
            examples.get(i).getPromoId()
                + ","
                + rawCustomerIds.get(i)
                + ","
                + probabilities.get(i)
                + "\n");
      }
    }
    return file;
  }

  static FeatureValue num(String name, double v) {
    return FeatureValue.newBuilder().setName(name).setNumber(v).setText(null).build();
  }

  static FeatureValue text(String name, String v) {
    return FeatureValue.newBuilder().setName(name).setNumber(null).setText(v).build();
  }

  static FeatureValue missing(String name) {
    return FeatureValue.newBuilder().setName(name).setNumber(null).setText(null).build();
  }
}
