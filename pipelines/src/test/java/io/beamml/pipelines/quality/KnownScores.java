package io.beamml.pipelines.quality;

import io.beamml.inference.ChampionChallenger;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Prediction;
import io.beamml.testdata.DataGenerator;
import io.beamml.training.evaluation.TruthFile;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Scores for generated responses whose true response probabilities are known. Customers are split
 * by {@link ChampionChallenger#bucket}: the champion (version 1) scores with the true probability,
 * the challenger (version 2) is degraded (pure noise). A third of the customers get an audit record
 * naming the promotion (and a misleading prediction, which the join must not use); the rest get
 * predictions by customer: one before the send time (the right one), an older one and a later one
 * with other scores, which the join must skip. Customers in {@link #UNSCORED_SHARE} get nothing.
 * What each response must get is kept in {@link #expected}.
 */
final class KnownScores {

  static final String MODEL = "promo-response";
  static final double UNSCORED_SHARE = 0.03;

  /** A response as the generator wrote it, with the score it must be measured with. */
  record Expected(
      String promoId,
      String customerKey,
      long sentTime,
      boolean responded,
      double score,
      String variant) {}

  final Map<String, Expected> expected = new LinkedHashMap<>();
  final Set<String> unscored = new HashSet<>();
  final Path predictions;
  final Path audit;

  private KnownScores(Path predictions, Path audit) {
    this.predictions = predictions;
    this.audit = audit;
  }

  static KnownScores write(Path data, HmacKey key, Path out) throws IOException {
    TruthFile truth =
        TruthFile.read(data.resolve(DataGenerator.TRUTH_FILE).toString()).keyedBy(key);
    Pseudonymiser pseudonyms = new Pseudonymiser(key);
    KnownScores k = new KnownScores(out.resolve("predictions.jsonl"), out.resolve("audit.jsonl"));
    Random noise = new Random(17);
    List<String> predictionLines = new ArrayList<>();
    List<String> auditLines = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line :
        Files.readAllLines(data.resolve(DataGenerator.RESPONSES_FILE), StandardCharsets.UTF_8)) {
      String[] cells = line.split(",", -1);
      if (cells.length != 4 || cells[1].isEmpty()) {
        continue;
      }
      String customerKey = pseudonyms.pseudonym(cells[1]);
      Double p = truth.probability(cells[0], customerKey);
      long sent;
      try {
        sent =
            Instant.from(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(cells[2]))
                .toEpochMilli();
      } catch (RuntimeException e) {
        continue;
      }
      if (p == null || !(cells[3].equals("0") || cells[3].equals("1")) || !seen.add(cells[0])) {
        continue;
      }
      double bucket = ChampionChallenger.bucket(customerKey);
      if (bucket >= 1 - UNSCORED_SHARE) {
        k.unscored.add(cells[0]);
        continue;
      }
      boolean challenger = bucket < 0.5;
      String version = challenger ? "2" : "1";
      String variant = challenger ? "challenger" : "champion";
      double score = challenger ? noise.nextInt(1_000_000) / 1e6 : p;
      k.expected.put(
          cells[0],
          new Expected(cells[0], customerKey, sent, cells[3].equals("1"), score, variant));
      long minute = 60_000L;
      if (bucket % (1.0 / 32) < 1.0 / 96) {
        auditLines.add(audit(customerKey, sent - 5 * minute, score, version, variant, cells[0]));
        predictionLines.add(prediction(customerKey, sent - minute, 0.999, version, variant));
      } else {
        predictionLines.add(prediction(customerKey, sent - 3 * minute, score, version, variant));
        predictionLines.add(
            prediction(customerKey, sent - 3 * 86_400_000L, 0.001, version, variant));
        predictionLines.add(prediction(customerKey, sent + minute, 0.5, version, variant));
      }
    }
    // A line the reader must refuse, as a dead letter of the predictions.
    predictionLines.add(
        "{\"customer_key\":\"x\",\"event_time\":\"2026-01-01T00:00:00Z\",\"score\":1.5,"
            + "\"model_name\":\"m\",\"model_version\":\"1\",\"variant\":\"champion\"}");
    Files.write(k.predictions, predictionLines, StandardCharsets.UTF_8);
    Files.write(k.audit, auditLines, StandardCharsets.UTF_8);
    return k;
  }

  private static String prediction(
      String customerKey, long time, double score, String version, String variant) {
    return JsonRecords.render(
        Prediction.newBuilder()
            .setEventId("e" + time)
            .setCustomerKey(customerKey)
            .setEventTime(time)
            .setScore(score)
            .setModelName(MODEL)
            .setModelVersion(version)
            .setVariant(variant)
            .setSpecFingerprint("spec")
            .build());
  }

  private static String audit(
      String customerKey, long time, double score, String version, String variant, String promo) {
    return JsonRecords.render(
        AuditRecord.newBuilder()
            .setEventId("a" + promo)
            .setCustomerKey(customerKey)
            .setModelName(MODEL)
            .setModelVersion(version)
            .setVariant(variant)
            .setSpecFingerprint("spec")
            .setScore(score)
            .setEventTime(time)
            .setScoringTime(time)
            .setRunId("serve")
            .setPromoId(promo)
            .build());
  }
}
