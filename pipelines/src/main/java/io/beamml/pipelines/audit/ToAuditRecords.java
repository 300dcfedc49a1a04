package io.beamml.pipelines.audit;

import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * One {@link AuditRecord} per prediction, so every score can be traced to its input event, its
 * (pseudonymised) customer, the model version and feature spec that made it, and the run.
 *
 * <p>The scoring time is the processing time at which the record is made. This transform is meant
 * to be applied directly to the scoring transform's output, so the runner fuses both into one stage
 * and the time is that of the bundle that scored the row.
 */
public final class ToAuditRecords
    extends PTransform<PCollection<Prediction>, PCollection<AuditRecord>> {

  private final String runId;

  private ToAuditRecords(String runId) {
    this.runId = runId;
  }

  /** Audit records stamped with {@code runId}, e.g. the Beam job name. */
  public static ToAuditRecords forRun(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("run id must not be empty");
    }
    return new ToAuditRecords(runId);
  }

  @Override
  public PCollection<AuditRecord> expand(PCollection<Prediction> predictions) {
    return predictions
        .apply("RecordPredictions", ParDo.of(new AuditFn(runId)))
        .setCoder(SpecificRecordCoder.of(AuditRecord.class));
  }

  /** The audit record of one prediction, stamped at {@code scoringTimeMillis}. */
  public static AuditRecord of(Prediction p, String runId, long scoringTimeMillis) {
    List<Contribution> contributions = null;
    if (p.getContributions() != null) {
      contributions = new ArrayList<>();
      for (Contribution c : p.getContributions()) {
        contributions.add(Contribution.newBuilder(c).build());
      }
    }
    return AuditRecord.newBuilder()
        .setEventId(p.getEventId())
        .setCustomerKey(p.getCustomerKey())
        .setModelName(p.getModelName())
        .setModelVersion(p.getModelVersion())
        .setVariant(p.getVariant())
        .setSpecFingerprint(p.getSpecFingerprint())
        .setScore(p.getScore())
        .setEventTime(p.getEventTime())
        .setScoringTime(scoringTimeMillis)
        .setRunId(runId)
        .setContributions(contributions)
        .build();
  }

  static final class AuditFn extends DoFn<Prediction, AuditRecord> {

    private final String runId;
    private final Counter records = Metrics.counter("audit", "records");

    AuditFn(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element Prediction prediction, OutputReceiver<AuditRecord> out) {
      records.inc();
      out.output(of(prediction, runId, Instant.now().getMillis()));
    }
  }
}
