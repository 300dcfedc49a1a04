package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.testing.DriftData;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Drift inside the stream, as the job builds it from its flags: feature rows arrive over two
 * event-time hours, the second with clicks_7d shifted up by one click; against the training
 * reference registered with the champion, exactly clicks_7d is flagged, and only in the second
 * hour; the first hour flags nothing.
 */
public class StreamDriftTest implements Serializable {

  @ClassRule public static final transient TemporaryFolder TMP = new TemporaryFolder();

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final long HOUR = 3_600_000L;

  /** An hour boundary (2023-11-14T23:00Z). */
  private static final long HOUR_0 = 1_700_002_800_000L;

  private static String registry;
  private static String version;

  @BeforeClass
  public static void registerChampionWithReference() throws Exception {
    registry = TMP.newFolder("registry").toString();
    ReferenceProfile reference = DriftData.reference(5000, 1);
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
    version = registered.version;
  }

  /** The stream's flags for drift; {@code extra} flags replace defaults of the same name. */
  private static StreamOptions options(String... extra) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String flag :
        List.of(
            "--bootstrapServers=unused:9092",
            "--registry=" + registry,
            "--model=promo@champion",
            "--driftWindow=PT1H",
            "--driftMinRows=100")) {
      flags.put(flag.substring(0, flag.indexOf('=')), flag);
    }
    for (String flag : extra) {
      flags.put(flag.substring(0, flag.indexOf('=')), flag);
    }
    return PipelineOptionsFactory.fromArgs(flags.values().toArray(new String[0]))
        .as(StreamOptions.class);
  }

  @Test
  public void onlyTheShiftedFeatureIsFlaggedAndOnlyInTheShiftedWindow() {
    TestStream.Builder<FeatureRow> stream = TestStream.create(AvroCoder.specific(FeatureRow.class));
    // Hour 0 as trained, 600 rows; hour 1 with clicks_7d one click higher, 600 rows.
    stream = addRows(stream, DriftData.rows(600, 3, "h0", HOUR_0, 5_000L, 0));
    stream = stream.advanceWatermarkTo(new Instant(HOUR_0 + HOUR));
    stream = addRows(stream, DriftData.rows(600, 4, "h1", HOUR_0 + HOUR, 5_000L, 1));
    StreamDrift drift = StreamPipeline.drift(options());
    assertEquals(version, drift.modelVersion());

    PCollection<DriftRecord> records =
        p.apply(stream.advanceWatermarkToInfinity()).apply("DetectDrift", drift);

    assertTrue(records.getWindowingStrategy().getWindowFn() instanceof GlobalWindows);
    PAssert.that(records)
        .satisfies(
            all -> {
              Set<String> flagged = new TreeSet<>();
              for (DriftRecord r : all) {
                flagged.add(r.getFeature() + "/" + r.getStatistic());
                assertEquals(
                    "only the shifted hour flags anything",
                    Long.valueOf(HOUR_0 + HOUR),
                    r.getWindowStart());
                assertEquals(Long.valueOf(HOUR_0 + 2 * HOUR), r.getWindowEnd());
                assertEquals(600L, r.getRows());
                assertTrue(r.getDrifted());
                assertTrue(r.getValue() > r.getThreshold());
                assertEquals("promo", r.getModelName());
                assertEquals(version, r.getModelVersion());
              }
              assertEquals(Set.of("clicks_7d/ks", "clicks_7d/psi"), flagged);
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void thresholdFlagsReachTheComparison() {
    TestStream.Builder<FeatureRow> stream = TestStream.create(AvroCoder.specific(FeatureRow.class));
    stream = addRows(stream, DriftData.rows(600, 4, "h1", HOUR_0, 5_000L, 1));
    // The shifted hour has 600 rows: with --driftMinRows=601 it is measured but flags nothing.
    PCollection<DriftRecord> records =
        p.apply(stream.advanceWatermarkToInfinity())
            .apply("DetectDrift", StreamPipeline.drift(options("--driftMinRows=601")));
    PAssert.that(records).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void aWindowWithASingleRowIsComparedWithoutFailing() {
    // One row has one value per feature, too few for the KS test: the window is measured by PSI
    // alone and, below --driftMinRows, flags nothing; the job does not fail on it.
    TestStream.Builder<FeatureRow> stream = TestStream.create(AvroCoder.specific(FeatureRow.class));
    stream = addRows(stream, DriftData.rows(1, 5, "lonely", HOUR_0, 5_000L, 1));
    PCollection<DriftRecord> records =
        p.apply(stream.advanceWatermarkToInfinity())
            .apply("DetectDrift", StreamPipeline.drift(options()));
    PAssert.that(records).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void aChampionWithoutReferenceOrABadWindowIsRefusedAtLaunch() throws Exception {
    String bare = TMP.newFolder("bare").toString();
    ModelMetadata template = TestModels.trainedMetadata();
    ModelRegistry models = ModelRegistry.at(bare);
    ModelMetadata registered =
        models.register("promo", "{}".getBytes(StandardCharsets.UTF_8), "json", template, Map.of());
    models.moveAlias("promo", "champion", registered.version, false, "test");
    StreamOptions noReference = options();
    noReference.setRegistry(bare);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StreamPipeline.drift(noReference));
    assertTrue(e.getMessage(), e.getMessage().contains(ReferenceProfile.FILE));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StreamPipeline.drift(options("--driftWindow=1h")));
    assertTrue(e.getMessage(), e.getMessage().contains("--driftWindow"));
    p.enableAbandonedNodeEnforcement(false);
  }

  private static TestStream.Builder<FeatureRow> addRows(
      TestStream.Builder<FeatureRow> stream, List<FeatureRow> rows) {
    TestStream.Builder<FeatureRow> s = stream;
    for (int i = 0; i < rows.size(); i += 100) {
      FeatureRow[] batch =
          rows.subList(i, Math.min(rows.size(), i + 100)).toArray(new FeatureRow[0]);
      @SuppressWarnings("unchecked")
      TimestampedValue<FeatureRow>[] stamped = new TimestampedValue[batch.length];
      for (int j = 0; j < batch.length; j++) {
        stamped[j] = TimestampedValue.of(batch[j], new Instant(batch[j].getEventTime()));
      }
      s = s.addElements(stamped[0], java.util.Arrays.copyOfRange(stamped, 1, stamped.length));
    }
    return s;
  }
}
