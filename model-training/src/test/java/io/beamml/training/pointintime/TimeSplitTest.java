package io.beamml.training.pointintime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.TrainingExample;
import io.beamml.training.data.Split;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.grouping.CustomerInputs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/** The split column of the transform's output: by send time, ties together, test latest. */
public class TimeSplitTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

  /**
   * 100 distinct send times; later ones carry many more promotions, so cutting by rows instead of
   * by distinct send times would give different boundaries.
   */
  private static List<LabelledPromo> promos() {
    Random r = new Random(3);
    List<LabelledPromo> promos = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      long sent = START + i * 60_000L + r.nextInt(1000);
      int copies = i < 70 ? 1 + i % 3 : 6;
      for (int c = 0; c < copies; c++) {
        promos.add(new LabelledPromo("p" + i + "-" + c, "k" + r.nextInt(20), sent, r.nextInt(2)));
      }
    }
    Collections.shuffle(promos, r);
    return promos;
  }

  private PCollection<TrainingExample> examples(
      List<LabelledPromo> promos, double validation, double test) {
    PCollection<CustomerEvent> events =
        pipeline.apply("NoEvents", Create.empty(AvroCoder.specific(CustomerEvent.class)));
    PCollection<CustomerProfile> profiles =
        pipeline.apply("NoProfiles", Create.empty(AvroCoder.specific(CustomerProfile.class)));
    PCollection<LabelledPromo> labelled =
        pipeline.apply(
            "Promos", Create.of(promos).withCoder(AvroCoder.specific(LabelledPromo.class)));
    return CustomerInputs.of(events, profiles)
        .withPromos(labelled)
        .apply(
            "BuildTrainingSet",
            PointInTimeTrainingSet.of(FeatureSpec.defaultSpec()).withSplits(validation, test));
  }

  @Test
  public void testIsStrictlyLaterThanValidationWhichIsStrictlyLaterThanTrain() {
    List<LabelledPromo> promos = promos();
    PAssert.that(examples(promos, 0.15, 0.15))
        .satisfies(
            actual -> {
              Map<Long, Split> splitOfTime = new TreeMap<>();
              EnumMap<Split, TreeSet<Long>> times = new EnumMap<>(Split.class);
              for (Split s : Split.values()) {
                times.put(s, new TreeSet<>());
              }
              int rows = 0;
              for (TrainingExample x : actual) {
                Split split = Split.valueOf(x.getSplit());
                Split before = splitOfTime.put(x.getSentTime(), split);
                assertTrue(
                    "rows sharing send time " + x.getSentTime() + " share a split",
                    before == null || before == split);
                times.get(split).add(x.getSentTime());
                rows++;
              }
              assertEquals(promos.size(), rows);
              assertTrue(times.get(Split.train).last() < times.get(Split.validation).first());
              assertTrue(times.get(Split.validation).last() < times.get(Split.test).first());
              // 70/15/15 of the distinct send times, not of the rows.
              assertEquals(70, times.get(Split.train).size());
              assertEquals(15, times.get(Split.validation).size());
              assertEquals(15, times.get(Split.test).size());
              return null;
            });
    pipeline.run();
  }

  @Test
  public void fractionsAreHonouredRoughly() {
    List<LabelledPromo> promos = promos();
    PAssert.that(examples(promos, 0.2, 0.1))
        .satisfies(
            actual -> {
              Map<Split, TreeSet<Long>> times = new EnumMap<>(Split.class);
              for (TrainingExample x : actual) {
                times
                    .computeIfAbsent(Split.valueOf(x.getSplit()), s -> new TreeSet<>())
                    .add(x.getSentTime());
              }
              assertEquals(70, times.get(Split.train).size());
              assertEquals(20, times.get(Split.validation).size());
              assertEquals(10, times.get(Split.test).size());
              assertTrue(times.get(Split.train).last() < times.get(Split.validation).first());
              assertTrue(times.get(Split.validation).last() < times.get(Split.test).first());
              return null;
            });
    pipeline.run();
  }

  @Test
  public void zeroFractionsPutEverythingInTrain() {
    PAssert.that(examples(promos(), 0, 0))
        .satisfies(
            actual -> {
              actual.forEach(x -> assertEquals(x.getPromoId(), "train", x.getSplit()));
              return null;
            });
    pipeline.run();
  }

  @Test
  public void noPromotionsGiveNoExamples() {
    PAssert.that(examples(List.of(), 0.15, 0.15)).empty();
    pipeline.run();
  }
}
