package io.beamml.training.data;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureDefinition;
import io.beamml.transforms.features.FeatureSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TrainingSetReaderTest {

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static List<TrainingExample> examples(int n) {
    return io.beamml.training.SyntheticDataAccess.generate(n, 1.0, 3);
  }

  @Test
  public void fingerprintIsIndependentOfFileLayoutAndOrder() throws Exception {
    List<TrainingExample> all = examples(400);
    Path one =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("one").toPath(), all, 1, 11);
    Path three =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("three").toPath(), all, 3, 99);

    TrainingSet a = TrainingSetReader.of(one.toString()).read();
    TrainingSet b = TrainingSetReader.of(three.toString()).read();

    assertEquals(a.fingerprint(), b.fingerprint());
    assertEquals(64, a.fingerprint().length());
    // Same canonical row order too, so training does not depend on how files were written.
    assertEquals(
        java.util.Arrays.toString(a.train().promoIds()),
        java.util.Arrays.toString(b.train().promoIds()));
    assertTrue(java.util.Arrays.equals(a.test().features(), b.test().features()));

    List<TrainingExample> changed = new ArrayList<>(all);
    TrainingExample first =
        TrainingExample.newBuilder(changed.get(0)).setLabel(1 - changed.get(0).getLabel()).build();
    changed.set(0, first);
    Path other =
        io.beamml.training.SyntheticDataAccess.write(
            tmp.newFolder("changed").toPath(), changed, 3, 99);
    assertNotEquals(a.fingerprint(), TrainingSetReader.of(other.toString()).read().fingerprint());
  }

  @Test
  public void splitsComeFromTheSplitColumnNotFromTime() throws Exception {
    List<TrainingExample> all = new ArrayList<>(examples(500));
    // The earliest example is marked test: it must land in test, though train rows are later.
    all.set(0, TrainingExample.newBuilder(all.get(0)).setSplit("test").build());
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("set").toPath(), all, 2, 5);

    TrainingSet set = TrainingSetReader.of(dir.toString()).read();

    long train = all.stream().filter(e -> e.getSplit().equals("train")).count();
    long validation = all.stream().filter(e -> e.getSplit().equals("validation")).count();
    long test = all.stream().filter(e -> e.getSplit().equals("test")).count();
    assertEquals(Map.of("train", train, "validation", validation, "test", test), set.rowCounts());
    assertEquals(List.of("train", "validation", "test"), new ArrayList<>(set.rowCounts().keySet()));
    assertEquals(all.get(0).getPromoId(), set.test().promoId(0));
    for (int i = 0; i < set.train().rows(); i++) {
      assertEquals("train row " + i, "train", splitOf(all, set.train().promoId(i)));
    }
    // Within a split rows keep send-time order: nothing is reshuffled.
    long[] times = set.train().sentTimes();
    for (int i = 1; i < times.length; i++) {
      assertTrue(times[i - 1] <= times[i]);
    }
    // And the train split is wholly earlier than validation (the generator split by time).
    assertTrue(set.train().sentTime(set.train().rows() - 1) < set.validation().sentTime(0));
  }

  @Test
  public void vectorizesCategoriesAndMissingValues() throws Exception {
    List<TrainingExample> all = examples(50);
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("set").toPath(), all, 1, 1);
    TrainingSet set = TrainingSetReader.of(dir.toString()).read();
    FeatureSpec spec = FeatureSpec.defaultSpec();
    int gender = spec.featureNames().indexOf("gender");
    int age = spec.featureNames().indexOf("age");
    SplitRows train = set.train();
    for (int i = 0; i < train.rows(); i++) {
      TrainingExample e = byPromo(all, train.promoId(i));
      FeatureValue g = e.getFeatures().get(gender);
      assertEquals(
          List.of("F", "M", "X").indexOf(g.getText()),
          train.features()[i * train.columns() + gender],
          0f);
      FeatureValue a = e.getFeatures().get(age);
      float x = train.features()[i * train.columns() + age];
      if (a.getNumber() == null) {
        assertTrue(Float.isNaN(x));
      } else {
        assertEquals(a.getNumber(), x, 0.0);
      }
      assertEquals(e.getLabel(), train.labels()[i], 0f);
    }
  }

  @Test
  public void refusesMixedSpecFingerprints() throws Exception {
    List<TrainingExample> all = new ArrayList<>(examples(100));
    for (int i = 0; i < 10; i++) {
      all.set(
          i, TrainingExample.newBuilder(all.get(i)).setSpecFingerprint("0123456789abcdef").build());
    }
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("mixed").toPath(), all, 2, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TrainingSetReader.of(dir.toString()).read());
    assertThat(e.getMessage(), containsString("mixes feature spec fingerprints"));
    assertThat(e.getMessage(), containsString("0123456789abcdef=10"));
    assertThat(e.getMessage(), containsString(FeatureSpec.defaultSpec().fingerprint() + "=90"));
  }

  @Test
  public void refusesExamplesBuiltUnderAnotherSpecThanTheDefault() throws Exception {
    List<TrainingExample> all = new ArrayList<>();
    for (TrainingExample e : examples(30)) {
      all.add(TrainingExample.newBuilder(e).setSpecFingerprint("fedcba9876543210").build());
    }
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("other").toPath(), all, 1, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TrainingSetReader.of(dir.toString()).read());
    assertThat(e.getMessage(), containsString("built under feature spec fedcba9876543210"));
    assertThat(e.getMessage(), containsString("the default spec"));
  }

  @Test
  public void readsTheSpecStoredWithTheSet() throws Exception {
    FeatureSpec small =
        new FeatureSpec(
            "small",
            1,
            List.of(
                new FeatureDefinition(
                    "clicks_7d",
                    FeatureDefinition.Kind.event,
                    List.of("click"),
                    null,
                    FeatureDefinition.Aggregation.count,
                    null,
                    "P7D",
                    null,
                    null),
                new FeatureDefinition(
                    "age",
                    FeatureDefinition.Kind.profile,
                    null,
                    null,
                    null,
                    "age",
                    null,
                    null,
                    null)));
    List<TrainingExample> all = new ArrayList<>();
    for (TrainingExample e : examples(40)) {
      all.add(
          TrainingExample.newBuilder(e)
              .setSpecFingerprint(small.fingerprint())
              .setFeatures(List.of(e.getFeatures().get(1), e.getFeatures().get(7)))
              .build());
    }
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("small").toPath(), all, 1, 1);
    Files.writeString(dir.resolve("spec.json"), small.toCanonicalJson());

    TrainingSet set = TrainingSetReader.of(dir.toString()).read();

    assertEquals(List.of("clicks_7d", "age"), set.featureNames());
    assertEquals(small.fingerprint(), set.spec().fingerprint());
    assertEquals(2, set.train().columns());
  }

  @Test
  public void refusesARunsOutputThatIsNotMarkedComplete() throws Exception {
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(
            tmp.newFolder("run").toPath(), examples(200), 2, 5);
    // A training-set run's summary without its success marker: still being published, or cut short.
    Files.writeString(dir.resolve(PublishedRun.SUMMARY_FILE), "{}");
    PublishedRun.IncompleteRunException e =
        assertThrows(
            PublishedRun.IncompleteRunException.class,
            () -> TrainingSetReader.of(dir.toString()).read());
    assertThat(e.getMessage(), containsString("no " + PublishedRun.SUCCESS_FILE));

    Files.writeString(dir.resolve(PublishedRun.SUCCESS_FILE), "{}");
    assertEquals(
        200,
        TrainingSetReader.of(dir.toString()).read().rowCounts().values().stream()
            .mapToLong(Number::longValue)
            .sum());
  }

  @Test
  public void failsClearlyWithoutExamples() throws Exception {
    Path dir = tmp.newFolder("empty").toPath();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TrainingSetReader.of(dir.toString()).read());
    assertThat(e.getMessage(), containsString("no training examples under"));
  }

  @Test
  public void refusesUnknownSplitsAndLabels() throws Exception {
    List<TrainingExample> all = new ArrayList<>(examples(20));
    all.set(3, TrainingExample.newBuilder(all.get(3)).setSplit("holdout").build());
    Path dir =
        io.beamml.training.SyntheticDataAccess.write(tmp.newFolder("bad").toPath(), all, 1, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TrainingSetReader.of(dir.toString()).read());
    assertThat(e.getMessage(), containsString("unknown split 'holdout'"));
  }

  private static String splitOf(List<TrainingExample> all, String promoId) {
    return byPromo(all, promoId).getSplit();
  }

  private static TrainingExample byPromo(List<TrainingExample> all, String promoId) {
    return all.stream().filter(e -> e.getPromoId().equals(promoId)).findFirst().orElseThrow();
  }
}
