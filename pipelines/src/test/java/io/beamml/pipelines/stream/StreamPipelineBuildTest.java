package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.pipelines.SampleData;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.testing.DriftData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The whole streaming job builds with each sink (Beam checks at construction that the outputs it
 * flattens share their windowing), and the topic flags switch the optional outputs on and off the
 * same way for every sink.
 */
public class StreamPipelineBuildTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static String registry;

  @BeforeClass
  public static void registerChampionWithReference() throws Exception {
    registry = TMP.newFolder("registry").toString();
    ModelMetadata template = TestModels.trainedMetadata();
    ModelRegistry models = ModelRegistry.at(registry);
    ModelMetadata registered =
        models.register(
            "promo",
            "{}".getBytes(StandardCharsets.UTF_8),
            "json",
            template,
            Map.of(ReferenceProfile.FILE, DriftData.reference(500, 1).toJson()));
    models.moveAlias("promo", "champion", registered.version, false, "test");
  }

  /** Names of the transforms directly under WriteOutputs, and whether audit and drift were made. */
  private static Set<String> build(String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrapServers=localhost:9092",
                "--registry=" + registry,
                "--model=promo@champion",
                "--output=" + TMP.newFolder().toPath(),
                "--bigQueryDataset=beamml-test:stream",
                "--bigQueryValidate=false"));
    args.addAll(List.of(flags));
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(StreamOptions.class);
    FakeDatasetService.setUp();
    options.setBigQueryServices(
        new FakeBigQueryServices()
            .withDatasetService(new FakeDatasetService())
            .withJobService(new FakeJobService()));
    Pipeline p = Pipeline.create(options);
    StreamPipeline.build(p, options, SampleData.KEY);
    Set<String> names = new TreeSet<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            note(node.getFullName(), names);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            note(node.getFullName(), names);
          }
        });
    return names;
  }

  private static void note(String name, Set<String> names) {
    if (name.startsWith("WriteOutputs/") && name.indexOf('/', "WriteOutputs/".length()) < 0) {
      names.add(name.substring("WriteOutputs/".length()));
    }
    if (name.equals("MakeAuditRecords")
        || name.equals("DetectDrift")
        || name.equals("MeasureLiveQuality")
        || name.equals("ReadResponsesTopic")) {
      names.add("made:" + name);
    }
  }

  @Test
  public void kafkaIsTheDefaultAndWritesAuditAndDriftTopics() throws Exception {
    Set<String> names = build("--featuresTopic=features", "--duplicatesTopic=duplicates");
    assertEquals(
        Set.of(
            "made:MakeAuditRecords",
            "made:DetectDrift",
            "WritePredictions",
            "WriteAuditRecords",
            "WriteDriftRecords",
            "WriteFeatureRows",
            "WriteDuplicates",
            "WriteDeadLetters",
            "CollectWrittenDeadLetters"),
        names);
  }

  @Test
  public void filesWriteEveryOutputInWindows() throws Exception {
    Set<String> names = build("--sink=files");
    assertEquals(
        Set.of(
            "made:MakeAuditRecords",
            "made:DetectDrift",
            "WritePredictions",
            "WriteAuditRecords",
            "WriteDriftRecords",
            "WriteDeadLetters",
            "CollectWrittenDeadLetters"),
        names);
  }

  @Test
  public void bigQueryJoinsRejectedRowsToTheDeadLetters() throws Exception {
    Set<String> names = build("--sink=bigquery", "--featuresTopic=on", "--duplicatesTopic=on");
    assertEquals(
        Set.of(
            "made:MakeAuditRecords",
            "made:DetectDrift",
            "WritePredictionsToBigQuery",
            "WriteAuditRecordsToBigQuery",
            "WriteDriftRecordsToBigQuery",
            "WriteFeatureRowsToBigQuery",
            "TakeDuplicateNotices",
            "AssignDuplicateFileWindows",
            "WriteDuplicates",
            "CollectWrittenDeadLetters",
            "WriteDeadLettersToBigQuery",
            "WriteRejectedDeadLetters"),
        names);
  }

  @Test
  public void aResponsesTopicMeasuresLiveQualityAndEverySinkWritesItsRecords() throws Exception {
    Set<String> kafka = build("--responsesTopic=responses");
    assertTrue(
        kafka.toString(),
        kafka.containsAll(
            Set.of("made:ReadResponsesTopic", "made:MeasureLiveQuality", "WriteQualityRecords")));
    Set<String> files = build("--sink=files", "--responsesTopic=responses");
    assertTrue(
        files.toString(),
        files.containsAll(
            Set.of(
                "made:MeasureLiveQuality",
                "TakeQualityRecords",
                "AssignQualityFileWindows",
                "WriteQualityRecords")));
    Set<String> bigQuery = build("--sink=bigquery", "--responsesTopic=responses");
    assertTrue(
        bigQuery.toString(),
        bigQuery.containsAll(Set.of("made:MeasureLiveQuality", "WriteQualityRecords")));
    Set<String> gaugesOnly = build("--responsesTopic=responses", "--qualityTopic=");
    assertTrue(gaugesOnly.toString(), gaugesOnly.contains("made:MeasureLiveQuality"));
    assertFalse(gaugesOnly.toString(), gaugesOnly.contains("WriteQualityRecords"));
    assertFalse("off by default", build().contains("made:MeasureLiveQuality"));
  }

  @Test
  public void blankTopicsTurnAuditAndDriftOff() throws Exception {
    Set<String> names = build("--sink=files", "--auditTopic=", "--driftTopic=");
    assertFalse(names.toString(), names.stream().anyMatch(n -> n.startsWith("made:")));
    assertTrue(names.toString(), names.contains("WritePredictions"));
    assertFalse(names.toString(), names.contains("WriteAuditRecords"));
    assertFalse(names.toString(), names.contains("WriteDriftRecords"));
  }
}
