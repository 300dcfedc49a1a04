package io.beamml.runners.dataflow;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.dataflow.model.DataflowPackage;
import io.beamml.inference.testing.TestModels;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.dataflow.util.PackageUtil.StagedFile;
import org.apache.beam.runners.dataflow.util.Stager;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Builds the backfill, training-set and score pipelines, with file and with BigQuery sinks, for
 * Dataflow and has Beam's own DataflowRunner translate each into the job it would submit, offline:
 * no network, no credentials, nothing submitted. The runner writes the job as a template file
 * ({@code --templateLocation}) instead of calling the service, staging goes to a stager that keeps
 * nothing, and gs:// paths are not checked. A pipeline whose graph Dataflow cannot translate (a
 * DoFn that does not serialize, a collection without a coder, an unsupported transform) fails here
 * rather than in the cloud; the assertions check that each job holds the steps the pipeline is made
 * of.
 */
public class DataflowTranslationTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final HmacKey KEY =
      HmacKey.ofBytes("offline-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  private static final String BUCKET = "gs://beamml-offline";
  private static String registry;
  private static File inputs;
  private static OfflineStager lastStager;

  /**
   * Stages nothing: Dataflow's default stager uploads jars and the pipeline proto to GCS. Keeps the
   * portable pipeline proto that Runner v2 jobs are described by.
   */
  public static final class OfflineStager implements Stager {
    private byte[] pipelineProto = new byte[0];

    public static OfflineStager fromOptions(PipelineOptions options) {
      return new OfflineStager();
    }

    @Override
    public List<DataflowPackage> stageFiles(List<StagedFile> files) {
      List<DataflowPackage> packages = new ArrayList<>();
      for (StagedFile f : files) {
        packages.add(
            new DataflowPackage()
                .setName(f.getDestination())
                .setLocation(BUCKET + "/staging/" + f.getDestination()));
      }
      return packages;
    }

    @Override
    public DataflowPackage stageToFile(byte[] bytes, String baseName) {
      if (baseName.endsWith(".pb")) {
        pipelineProto = bytes.clone();
      }
      return new DataflowPackage().setName(baseName).setLocation(BUCKET + "/staging/" + baseName);
    }
  }

  /**
   * Inputs are local: Dataflow's translator estimates the size of every file source it reads, and
   * for gs:// that means listing the bucket. One line per file is enough for the estimate.
   */
  @BeforeClass
  public static void writeInputs() throws Exception {
    inputs = TMP.newFolder("inputs");
    for (String source : List.of("clicks", "sales", "profiles", "responses")) {
      File dir = new File(inputs, source);
      dir.mkdirs();
      Files.writeString(new File(dir, source + ".txt").toPath(), "x\n");
    }
  }

  @BeforeClass
  public static void registerModel() throws Exception {
    registry = TMP.newFolder("registry").toString();
    TestModels.registerChampion(registry, 1, 20, 2, 2, new int[] {1}, 2f);
  }

  /**
   * The flags a Dataflow launch takes, plus the offline switches; the job file goes to {@code
   * jobFile}.
   */
  private static String[] dataflowArgs(String jobName, File jobFile, String... pipelineArgs)
      throws Exception {
    File stagedJar = TMP.newFile(jobName + ".jar");
    Files.write(stagedJar.toPath(), new byte[] {0});
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=DataflowRunner",
                "--project=beamml-offline",
                "--region=europe-west1",
                "--tempLocation=" + BUCKET + "/tmp",
                "--gcpTempLocation=" + BUCKET + "/tmp",
                "--stagingLocation=" + BUCKET + "/staging",
                "--templateLocation=" + jobFile.getAbsolutePath(),
                "--filesToStage=" + stagedJar.getAbsolutePath(),
                "--jobName=" + jobName,
                "--output=" + BUCKET + "/out/" + jobName,
                "--clicks=" + inputs + "/clicks/*",
                "--sales=" + inputs + "/sales/*",
                "--profiles=" + inputs + "/profiles/*"));
    Collections.addAll(args, pipelineArgs);
    return args.toArray(new String[0]);
  }

  /** Runs {@code build} on a Dataflow pipeline and returns the job Dataflow would have received. */
  private static <T extends PipelineOptions> JsonNode translate(
      Class<T> optionsClass, String jobName, BiConsumer<Pipeline, T> build, String... pipelineArgs)
      throws Exception {
    File jobFile = new File(TMP.getRoot(), jobName + ".json");
    PipelineOptionsFactory.register(optionsClass);
    T options =
        PipelineOptionsFactory.fromArgs(dataflowArgs(jobName, jobFile, pipelineArgs))
            .withValidation()
            .as(optionsClass);
    DataflowPipelineOptions dataflow = options.as(DataflowPipelineOptions.class);
    dataflow.setPathValidatorClass(NoopPathValidator.class);
    dataflow.setCredentialFactoryClass(NoopCredentialFactory.class);
    lastStager = new OfflineStager();
    dataflow.setStager(lastStager);
    assertEquals(DataflowRunner.class, options.getRunner());

    Pipeline p = Pipeline.create(options);
    build.accept(p, options);
    p.run();
    assertTrue("DataflowRunner wrote no job file", jobFile.isFile());
    JsonNode job = new ObjectMapper().readTree(jobFile);
    assertEquals(jobName, job.path("name").asText());
    assertEquals(BUCKET + "/tmp", job.path("environment").path("tempStoragePrefix").asText());
    JsonNode launched = job.path("environment").path("sdkPipelineOptions").path("options");
    assertEquals("beamml-offline", launched.path("project").asText());
    assertEquals("europe-west1", launched.path("region").asText());
    return job;
  }

  /** The user-facing names of a job's steps, cut to their first path segment. */
  private static Set<String> topLevelSteps(JsonNode job) {
    Set<String> names = new TreeSet<>();
    for (JsonNode step : job.path("steps")) {
      String userName = step.path("properties").path("user_name").path("value").asText();
      names.add(userName.contains("/") ? userName.substring(0, userName.indexOf('/')) : userName);
    }
    return names;
  }

  private static void assertSteps(JsonNode job, String... expected) {
    Set<String> steps = topLevelSteps(job);
    for (String name : expected) {
      assertTrue(name + " missing from the Dataflow job; it has " + steps, steps.contains(name));
    }
    for (JsonNode step : job.path("steps")) {
      assertTrue("a step without a kind: " + step, !step.path("kind").asText().isEmpty());
    }
  }

  private static void assertNoSteps(JsonNode job, String... unexpected) {
    Set<String> steps = topLevelSteps(job);
    for (String name : unexpected) {
      assertTrue(
          name + " should not be in the Dataflow job; it has " + steps, !steps.contains(name));
    }
  }

  @Test
  public void backfillTranslates() throws Exception {
    JsonNode job =
        translate(
            BackfillPipeline.Options.class,
            "beamml-backfill",
            (p, o) -> BackfillPipeline.build(p, o, KEY));
    assertSteps(
        job,
        "ReadClicks",
        "ReadSales",
        "ReadProfiles",
        "WriteFeatureStore",
        "WriteDeadLetters",
        "WriteSummary");
    assertEquals("JOB_TYPE_BATCH", job.path("type").asText());
  }

  @Test
  public void backfillTranslatesWithBigQuerySinks() throws Exception {
    JsonNode job =
        translate(
            BackfillPipeline.Options.class,
            "beamml-backfill-bigquery",
            (p, o) -> BackfillPipeline.build(p, o, KEY),
            "--sink=bigquery",
            "--bigQueryDataset=beamml-offline:features",
            "--bigQueryValidate=false");
    assertSteps(
        job,
        "ReadClicks",
        "ReadSales",
        "ReadProfiles",
        "WriteFeatureRowsToBigQuery",
        "CountFeatureRowsToBigQuery",
        "CountFeatureRowsInBigQuery",
        "WriteDeadLettersToBigQuery",
        "WriteRejectedDeadLetters",
        "WriteSummary");
    assertNoSteps(job, "WriteFeatureStore", "WriteDeadLetters");
    assertEquals("JOB_TYPE_BATCH", job.path("type").asText());
  }

  @Test
  public void trainingSetTranslates() throws Exception {
    JsonNode job =
        translate(
            TrainingSetPipeline.Options.class,
            "beamml-training-set",
            (p, o) -> TrainingSetPipeline.build(p, o, KEY),
            "--responses=" + inputs + "/responses/*",
            "--exampleFormat=csv");
    assertSteps(
        job,
        "BuildTrainingExamples",
        "WriteExamplesAvro",
        "WriteExamplesCsv",
        "WriteSpecJson",
        "WriteDeadLetters",
        "WriteSummary");
  }

  @Test
  public void trainingSetTranslatesWithBigQuerySinks() throws Exception {
    JsonNode job =
        translate(
            TrainingSetPipeline.Options.class,
            "beamml-training-set-bigquery",
            (p, o) -> TrainingSetPipeline.build(p, o, KEY),
            "--responses=" + inputs + "/responses/*",
            "--sink=bigquery",
            "--bigQueryDataset=beamml-offline:training",
            "--bigQueryValidate=false");
    // train reads the Avro examples and the spec: they are written with either sink.
    assertSteps(
        job,
        "BuildTrainingExamples",
        "WriteExamplesAvro",
        "WriteSpecJson",
        "WriteTrainingExamplesToBigQuery",
        "CountTrainingExamplesInBigQuery",
        "WriteDeadLettersToBigQuery",
        "WriteRejectedDeadLetters",
        "WriteSummary");
    assertNoSteps(job, "WriteDeadLetters");
  }

  @Test
  public void scoreTranslatesWithFileSinks() throws Exception {
    JsonNode job =
        translate(
            ScorePipeline.Options.class,
            "beamml-score-files",
            (p, o) -> ScorePipeline.build(p, o, KEY),
            "--registry=" + registry,
            "--model=promo@champion");
    assertSteps(
        job,
        "Score",
        "MakeAuditRecords",
        "WritePredictions",
        "WriteAuditRecords",
        "WriteDeadLetters",
        "WriteSummary");
  }

  @Test
  public void scoreTranslatesWithBigQuerySinks() throws Exception {
    JsonNode job =
        translate(
            ScorePipeline.Options.class,
            "beamml-score-bigquery",
            (p, o) -> ScorePipeline.build(p, o, KEY),
            "--registry=" + registry,
            "--model=promo@champion",
            "--sink=bigquery",
            "--bigQueryDataset=beamml-offline:scoring",
            "--bigQueryValidate=false");
    assertSteps(
        job,
        "Score",
        "MakeAuditRecords",
        "WritePredictionsToBigQuery",
        "WriteAuditRecordsToBigQuery",
        "WriteDeadLettersToBigQuery",
        "WriteRejectedDeadLetters",
        "WriteSummary");
  }

  @Test
  public void scoreTranslatesWithBigQuerySinksOnRunnerV2() throws Exception {
    JsonNode job =
        translate(
            ScorePipeline.Options.class,
            "beamml-score-bigquery-v2",
            (p, o) -> ScorePipeline.build(p, o, KEY),
            "--registry=" + registry,
            "--model=promo@champion",
            "--sink=bigquery",
            "--bigQueryDataset=beamml-offline:scoring",
            "--bigQueryValidate=false",
            "--experiments=use_runner_v2");
    // A Runner v2 job is described by the portable pipeline it stages, not by v1 steps.
    RunnerApi.Pipeline pipeline = RunnerApi.Pipeline.parseFrom(lastStager.pipelineProto);
    Set<String> transforms = new TreeSet<>();
    for (RunnerApi.PTransform t : pipeline.getComponents().getTransformsMap().values()) {
      String name = t.getUniqueName();
      transforms.add(name.contains("/") ? name.substring(0, name.indexOf('/')) : name);
    }
    for (String name :
        List.of(
            "Score",
            "MakeAuditRecords",
            "WritePredictionsToBigQuery",
            "WriteAuditRecordsToBigQuery",
            "WriteDeadLettersToBigQuery",
            "WriteRejectedDeadLetters",
            "WriteSummary")) {
      assertTrue(
          name + " missing from the portable pipeline; it has " + transforms,
          transforms.contains(name));
    }
    List<String> experiments = new ArrayList<>();
    job.path("environment").path("experiments").forEach(e -> experiments.add(e.asText()));
    assertTrue(experiments.toString(), experiments.contains("use_runner_v2"));
  }
}
