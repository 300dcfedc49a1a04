package io.beamml.pipelines.bigquery;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a pipeline's records go: files under {@code --output} (the default) or BigQuery tables in
 * one dataset. The summary stays a file under {@code --output} either way.
 */
public interface BigQuerySinkOptions extends PipelineOptions {

  @Description("Where records go: files (under --output) or bigquery (tables in --bigQueryDataset)")
  @Default.Enum("files")
  Sink getSink();

  void setSink(Sink value);

  @Description("BigQuery dataset for --sink=bigquery, as PROJECT:DATASET; it must exist, its tables are created if needed")
  String getBigQueryDataset();

  void setBigQueryDataset(String value);

  @Description("Table of feature rows (in --bigQueryDataset)")
  @Default.String("feature_rows")
  String getFeatureRowsTable();

  void setFeatureRowsTable(String value);

  @Description("Table of training examples (in --bigQueryDataset); training-set still writes the Avro examples train reads under --output")
  @Default.String("training_examples")
  String getTrainingExamplesTable();

  void setTrainingExamplesTable(String value);

  @Description("Table of predictions (in --bigQueryDataset)")
  @Default.String("predictions")
  String getPredictionsTable();

  void setPredictionsTable(String value);

  @Description("Table of dead letters (in --bigQueryDataset); rows it rejects are written as files under --output")
  @Default.String("dead_letters")
  String getDeadLettersTable();

  void setDeadLettersTable(String value);

  @Description("Table of audit records, one per prediction (in --bigQueryDataset)")
  @Default.String("audit")
  String getAuditTable();

  void setAuditTable(String value);

  @Description("Check at launch that the dataset exists (needs credentials); false builds the job without calling BigQuery")
  @Default.Boolean(true)
  Boolean getBigQueryValidate();

  void setBigQueryValidate(Boolean value);

  /** BigQuery services to use instead of Google's, e.g. Beam's fakes in tests; never serialized. */
  @Description("For tests only, set in code: BigQuery services to use instead of Google's")
  @Hidden
  @JsonIgnore
  @Nullable
  BigQueryServices getBigQueryServices();

  void setBigQueryServices(@Nullable BigQueryServices value);

  /** The sinks {@code --sink} chooses between. */
  enum Sink {
    files,
    bigquery
  }
}
