package io.beamml.runners.stream;

import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;

/**
 * The full names of a pipeline's steps that hold state in a checkpoint or savepoint: sources (their
 * offsets), groupings and combines, DoFns with state or timers, and DoFns with side inputs (Flink
 * buffers their main input while the side input is not ready). Beam's Flink runner makes a step's
 * full name its operator uid, and a savepoint's state is matched to the new job by uid: renaming
 * one of these steps (or an enclosing composite) drops its state on resume.
 */
final class StatefulSteps {

  private StatefulSteps() {}

  static Set<String> of(Pipeline p) {
    Set<String> names = new TreeSet<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            PTransform<?, ?> t = node.getTransform();
            if (t instanceof Read.Unbounded
                || t instanceof Read.Bounded
                || t instanceof Combine.PerKey) {
              names.add(node.getFullName());
              return CompositeBehavior.DO_NOT_ENTER_TRANSFORM;
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            PTransform<?, ?> t = node.getTransform();
            if (t instanceof GroupByKey
                || t instanceof Read.Unbounded
                || t instanceof Read.Bounded) {
              names.add(node.getFullName());
            } else if (t instanceof ParDo.MultiOutput) {
              ParDo.MultiOutput<?, ?> parDo = (ParDo.MultiOutput<?, ?>) t;
              DoFn<?, ?> fn = parDo.getFn();
              DoFnSignature signature = DoFnSignatures.getSignature(fn.getClass());
              if (signature.usesState()
                  || signature.usesTimers()
                  || !parDo.getSideInputs().isEmpty()
                  || signature.processElement().requiresStableInput()) {
                names.add(node.getFullName());
              }
            }
          }
        });
    return names;
  }
}
