package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** File inputs in the data contract's formats; any Beam file system scheme works. */
public interface InputOptions extends PipelineOptions {

  @Description("Clicks as JSON Lines: a file pattern (glob), e.g. data/clicks/*.jsonl")
  String getClicks();

  void setClicks(String value);

  @Description("Sales dumps as CSV: a file pattern (glob), e.g. data/sales/*.csv")
  String getSales();

  void setSales(String value);

  @Description("Customer profiles as CSV: a file pattern (glob)")
  String getProfiles();

  void setProfiles(String value);

  @Description("Lines longer than this many bytes become dead letters (line_too_long)")
  @Default.Long(1024 * 1024)
  Long getMaxLineBytes();

  void setMaxLineBytes(Long value);

  @Description("Feature spec JSON file; empty means the spec shipped with the product")
  @Default.String("")
  String getFeatureSpec();

  void setFeatureSpec(String value);

  @Description(
      "0 groups batch dedup and features by the real key (event id, customer); N > 0 groups them"
          + " into N shards, each held in memory, which only suits the Direct runner (it pays per key); -1 (the"
          + " default) means 16 on the Direct runner and 0 on every other")
  @Default.Integer(-1)
  Integer getGroupingShards();

  void setGroupingShards(Integer value);

  @Description("How long an event id is remembered for deduplication, as an ISO-8601 duration")
  @Default.String("P2D")
  String getDedupHorizon();

  void setDedupHorizon(String value);
}
