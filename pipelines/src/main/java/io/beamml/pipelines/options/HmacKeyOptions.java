package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Where the pseudonymisation key comes from. The key itself is never a flag: flags end up in logs,
 * shell history and job graphs.
 */
public interface HmacKeyOptions extends PipelineOptions {

  @Description(
      "File holding the HMAC key for customer ids (else the PIPELINE_HMAC_KEY environment variable)")
  String getHmacKeyFile();

  void setHmacKeyFile(String value);
}
