package io.beamml.pipelines.bigquery;

import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.TrainingExample;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The pipelines' BigQuery tables as {@code --bigQueryDataset} and the table flags name them, each
 * as a ready {@link BigQuerySink}. The names double as the dead-letter source of rows a table
 * rejects and as the summary's source for what was written there.
 */
public final class BigQueryDestinations {

  public static final String FEATURE_ROWS = "feature_rows";
  public static final String PREDICTIONS = "predictions";
  public static final String DEAD_LETTERS = "dead_letters";
  public static final String AUDIT = "audit";
  public static final String TRAINING_EXAMPLES = "training_examples";
  public static final String DRIFT = "drift";

  private final String dataset;
  private final BigQuerySinkOptions options;
  private final @Nullable BigQueryServices services;

  private BigQueryDestinations(
      String dataset, BigQuerySinkOptions options, @Nullable BigQueryServices services) {
    this.dataset = dataset;
    this.options = options;
    this.services = services;
  }

  /**
   * Reads the dataset and table names; fails now, at construction, when the dataset is missing or
   * malformed.
   */
  public static BigQueryDestinations from(BigQuerySinkOptions options) {
    String dataset = options.getBigQueryDataset();
    if (dataset == null || !dataset.matches("[^:.]+[:.][^:.]+")) {
      throw new IllegalArgumentException(
          "--sink=bigquery needs --bigQueryDataset=PROJECT:DATASET, got " + dataset);
    }
    return new BigQueryDestinations(dataset, options, options.getBigQueryServices());
  }

  /**
   * A batch run's destinations when {@code --sink=bigquery}; null when records go to files. Refuses
   * {@code --sink=kafka}, which only the stream writes.
   */
  public static @Nullable BigQueryDestinations ifChosen(BigQuerySinkOptions options) {
    return BigQuerySinkOptions.Sink.forBatch(options) == BigQuerySinkOptions.Sink.bigquery
        ? from(options)
        : null;
  }

  /** {@code PROJECT:DATASET.TABLE} of a table in the dataset. */
  public String table(String tableName) {
    if (tableName == null || !tableName.matches("[A-Za-z0-9_\\-]+")) {
      throw new IllegalArgumentException(
          "BigQuery table names are letters, digits, _ and -, got " + tableName);
    }
    return dataset + "." + tableName;
  }

  public BigQuerySink<FeatureRow> featureRows() {
    return configure(
        BigQuerySink.of(FeatureRow.class, table(options.getFeatureRowsTable()), FEATURE_ROWS)
            .withClustering("customer_key"));
  }

  public BigQuerySink<Prediction> predictions() {
    return configure(
        BigQuerySink.of(Prediction.class, table(options.getPredictionsTable()), PREDICTIONS)
            .withClustering("customer_key"));
  }

  /**
   * Partitioned by send day and clustered by split, so a query for one split of some days reads
   * little else.
   */
  public BigQuerySink<TrainingExample> trainingExamples() {
    return configure(
        BigQuerySink.of(
                TrainingExample.class, table(options.getTrainingExamplesTable()), TRAINING_EXAMPLES)
            .withPartitionField("sent_time")
            .withClustering("split", "customer_key"));
  }

  public BigQuerySink<DeadLetter> deadLetters() {
    return configure(
        BigQuerySink.of(DeadLetter.class, table(options.getDeadLettersTable()), DEAD_LETTERS)
            .withClustering("source", "reason"));
  }

  public BigQuerySink<AuditRecord> audit() {
    return configure(
        BigQuerySink.of(AuditRecord.class, table(options.getAuditTable()), AUDIT)
            .withClustering("customer_key", "model_name"));
  }

  /** Drift records carry no event time: the table is small, unpartitioned, clustered by feature. */
  public BigQuerySink<DriftRecord> drift() {
    return configure(
        BigQuerySink.of(DriftRecord.class, table(options.getDriftTable()), DRIFT)
            .withClustering("feature", "statistic"));
  }

  private <T extends SpecificRecord> BigQuerySink<T> configure(BigQuerySink<T> sink) {
    BigQuerySink<T> configured =
        Boolean.FALSE.equals(options.getBigQueryValidate()) ? sink.withoutValidation() : sink;
    return services == null ? configured : configured.withTestServices(services);
  }
}
