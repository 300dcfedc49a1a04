package io.beamml.inference.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the registry knows about one immutable model version ({@code metadata.json}). Plain fields
 * so Jackson reads and writes it and older readers skip fields added later.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ModelMetadata {
  public String name;
  public String version;

  /** File name of the model inside the version directory, e.g. model.json or model.ubj. */
  public String modelFile;

  /** json or ubj: XGBoost's own formats. */
  public String modelFormat;

  /**
   * The XGBoost version that wrote the model file (e.g. 3.4.0), null if unknown. Readers older than
   * 3.1 misread a 3.1+ file's base_score: see README "Interop" and {@code ./pipeline export-model}.
   */
  public String xgboostVersion;

  /** Hex SHA-256 of the model file; checked before every load. */
  public String sha256;

  /** Column order the model expects. */
  public List<String> featureNames = new ArrayList<>();

  /** Fingerprint of the feature spec the model was trained under. */
  public String specFingerprint;

  /** The feature spec itself (canonical JSON), so a version can be scored without its source. */
  public String featureSpec;

  public Map<String, Object> params = new LinkedHashMap<>();
  public Map<String, Double> metrics = new LinkedHashMap<>();
  public String trainingDataFingerprint;
  public Map<String, Long> trainingRows = new LinkedHashMap<>();
  public String codeVersion;

  /** ISO-8601 instant. */
  public String createdAt;

  /** trained or imported. */
  public String origin;

  /** Other files stored beside the model (model card, plots, reference histograms). */
  public List<String> attachments = new ArrayList<>();
}
