package io.beamml.transforms.features;

import static org.junit.Assert.assertEquals;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.junit.Test;

/**
 * The streaming features' state and timer ids stay the ones running jobs' savepoints hold: Beam's
 * Flink runner names a state cell by its id, so a renamed cell resumes empty, and a restored timer
 * whose id lost its callback fails the job. Change these only with a note in the README's upgrade
 * section.
 */
public class CustomerFeatureRowsFnTest {

  @Test
  public void stateIdsAreTheOnesSavepointsHold() {
    DoFnSignature signature = DoFnSignatures.getSignature(CustomerFeatureRowsFn.class);
    assertEquals(
        Set.of("events", "closedThrough", "earliestWaiting", "pruneAt"),
        signature.stateDeclarations().keySet());
    assertEquals(
        signature.stateDeclarations().keySet(),
        ids(fields(), DoFn.StateId.class, DoFn.StateId::value));
  }

  @Test
  public void everyTimerIdHasItsCallback() {
    assertEquals(Set.of("flush", "prune"), ids(fields(), DoFn.TimerId.class, DoFn.TimerId::value));
    assertEquals(
        Set.of("flush", "prune"),
        ids(
            Arrays.stream(CustomerFeatureRowsFn.class.getDeclaredMethods()),
            DoFn.OnTimer.class,
            DoFn.OnTimer::value));
  }

  private static Stream<? extends AnnotatedElement> fields() {
    return Arrays.stream(CustomerFeatureRowsFn.class.getDeclaredFields());
  }

  /** The ids that members annotated with {@code annotation} declare. */
  private static <A extends Annotation> Set<String> ids(
      Stream<? extends AnnotatedElement> members, Class<A> annotation, Function<A, String> id) {
    return members
        .map(m -> m.getAnnotation(annotation))
        .filter(Objects::nonNull)
        .map(id)
        .collect(Collectors.toSet());
  }
}
