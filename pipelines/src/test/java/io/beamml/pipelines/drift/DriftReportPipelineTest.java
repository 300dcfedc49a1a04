package io.beamml.pipelines.drift;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.schemas.FeatureRow;
import io.beamml.training.drift.DriftReport;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.drift.WindowDrift;
import io.beamml.training.testing.DriftData;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.features.FeatureSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The batch drift report end to end: a registered version with its training reference, stored
 * feature rows with clicks_7d shifted (and one row from another spec), then records, comparison,
 * summary and the HTML page with its pictures.
 */
public class DriftReportPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String registry;

  @BeforeClass
  public static void registerModelWithReference() throws Exception {
    registry = TMP.newFolder("registry").toString();
    ReferenceProfile reference = DriftData.reference(4000, 1);
    ModelMetadata template = TestModels.trainedMetadata();
    ModelRegistry models = ModelRegistry.at(registry);
    ModelMetadata registered =
        models.register(
            "promo",
            "{}".getBytes(StandardCharsets.UTF_8),
            "json",
            template,
            Map.of(ReferenceProfile.FILE, reference.toJson()));
    models.moveAlias("promo", "champion", registered.version, false, "test");
  }

  @Test
  public void aShiftedRunFlagsTheShiftedFeatureAndDrawsEveryFeature() throws Exception {
    List<FeatureRow> current = new ArrayList<>(rows(1200, 2, "cur", 1));
    current.add(
        FeatureRow.newBuilder(current.get(0))
            .setEventId("other-spec")
            .setSpecFingerprint("0123abcd")
            .build());
    Path features = writeFeatureRows(TMP.newFolder("shifted-features").toPath(), current);
    Path out = TMP.newFolder("shifted-out").toPath();

    WindowDrift drift = DriftReportPipeline.run(options(features, out));

    assertEquals(List.of("clicks_7d"), drift.driftedFeatures());
    assertEquals("1", drift.modelVersion());
    assertEquals(1200, drift.rows());

    Set<String> flagged = new TreeSet<>();
    for (String line : lines(out.resolve(DriftReportPipeline.RECORDS_DIR))) {
      JsonNode r = JSON.readTree(line);
      flagged.add(r.get("feature").asText() + "/" + r.get("statistic").asText());
      assertTrue(r.get("drifted").asBoolean());
      assertTrue(r.get("window_start").isNull());
      assertEquals("promo", r.get("model_name").asText());
      assertEquals("1", r.get("model_version").asText());
      assertEquals(1200, r.get("rows").asLong());
      assertTrue(r.get("value").asDouble() > r.get("threshold").asDouble());
    }
    assertEquals(Set.of("clicks_7d/ks", "clicks_7d/psi"), flagged);

    String summary = RunSummary.read(out.toString());
    assertTrue(summary, RunSummary.isBalanced(summary));
    JsonNode source = JSON.readTree(summary).path("sources").path("features");
    assertEquals(1201, source.path("records_in").asLong());
    assertEquals(1200, source.path("records_out").asLong());
    assertEquals(1, source.path("dead_letters").path(Reasons.SPEC_MISMATCH).asLong());
    assertEquals("1", JSON.readTree(summary).path("model_version").asText());

    String html = Files.readString(out.resolve(DriftReport.HTML));
    List<String> pictures = new ArrayList<>();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      pictures.add(m.group(1));
    }
    assertEquals(SPEC.featureNames().size(), pictures.size());
    for (String feature : SPEC.featureNames()) {
      String png = DriftReport.pictureName(feature);
      assertTrue(png, pictures.contains(png));
      BufferedImage image = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(png + " is not a readable image", image);
    }
    assertThat(html, containsString("Drifted: <strong>clicks_7d</strong>"));
    assertEquals(drift.toJson(), DriftReportPipeline.readComparison(out.toString()).toJson());
  }

  @Test
  public void anUnshiftedRunWritesNoDriftRecords() throws Exception {
    Path features =
        writeFeatureRows(TMP.newFolder("plain-features").toPath(), rows(1200, 3, "cur", 0));
    Path out = TMP.newFolder("plain-out").toPath();
    DriftReportPipeline.Options options = options(features, out);
    options.setModel("promo:1");

    WindowDrift drift = DriftReportPipeline.run(options);

    assertTrue(drift.driftedFeatures().isEmpty());
    assertTrue(lines(out.resolve(DriftReportPipeline.RECORDS_DIR)).isEmpty());
    assertTrue(RunSummary.isBalanced(RunSummary.read(out.toString())));
    assertThat(
        Files.readString(out.resolve(DriftReport.HTML)), containsString("No feature drifted."));
  }

  private static DriftReportPipeline.Options options(Path features, Path out) {
    DriftReportPipeline.Options options =
        PipelineOptionsFactory.create().as(DriftReportPipeline.Options.class);
    options.setFeatures(features + "/*/*.avro");
    options.setRegistry(registry);
    options.setModel("promo@champion");
    options.setOutput(out.toString());
    options.setPsiThreshold(0.2);
    options.setKsSignificance(0.01);
    options.setKsMinStatistic(0.1);
    options.setMinRows(100L);
    return options;
  }

  /** Rows with every feature drawn independently; clicks_7d raised by {@code clicksShift}. */
  private static List<FeatureRow> rows(int n, long seed, String prefix, int clicksShift) {
    return DriftData.rows(n, seed, prefix, DriftData.START, 60_000L, clicksShift);
  }

  /** Two files in two date partitions, as a backfill lays them out. */
  private static Path writeFeatureRows(Path dir, List<FeatureRow> rows) throws IOException {
    for (int part = 0; part < 2; part++) {
      Path partition = Files.createDirectories(dir.resolve("event_date=2023-11-1" + (4 + part)));
      try (DataFileWriter<FeatureRow> w =
          new DataFileWriter<>(new SpecificDatumWriter<>(FeatureRow.class))) {
        w.create(
            FeatureRow.getClassSchema(), partition.resolve("part-0000" + part + ".avro").toFile());
        for (int i = part; i < rows.size(); i += 2) {
          w.append(rows.get(i));
        }
      }
    }
    return dir;
  }

  private static List<String> lines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            lines.add(line);
          }
        }
      }
    }
    return lines;
  }
}
