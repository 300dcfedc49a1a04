package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PromoteModelTest {

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  private static Path setDir;
  private static Path otherSetDir;

  @BeforeClass
  public static void writeSets() throws Exception {
    setDir = SyntheticData.generate(3000, 1.0, 31).write(tmp.newFolder("set").toPath(), 2);
    otherSetDir = SyntheticData.generate(2000, 1.0, 32).write(tmp.newFolder("other").toPath(), 1);
  }

  static ModelMetadata train(String root, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("--registry=" + root, "--trainingSet=" + setDir, "--modelName=promo"));
    args.addAll(Arrays.asList(extra));
    return TrainModel.run(
            PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
                .withValidation()
                .as(TrainOptions.class))
        .metadata();
  }

  static Promotion decide(String root, String... extra) {
    List<String> args = new ArrayList<>(List.of("--registry=" + root));
    args.addAll(Arrays.asList(extra));
    return PromoteModel.run(
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
            .withValidation()
            .as(PromoteOptions.class));
  }

  /** The history line of a promote the gate let through (or that was forced). */
  static AliasChange promote(String root, String... extra) {
    Promotion p = decide(root, extra);
    assertFalse("refused: " + p.verdict(), p.refused());
    return p.change();
  }

  /** The gate's reason for refusing; fails if it did not refuse. */
  static String refusal(String root, String... extra) {
    Promotion p = decide(root, extra);
    assertTrue("not refused: " + p.verdict(), p.refused());
    assertNull("a plain promote records no refusal", p.change());
    return p.verdict().explanation();
  }

  private static String auc(ModelMetadata m) {
    return String.format(Locale.ROOT, "%.4f", m.metrics.get("test_auc"));
  }

  @Test
  public void gateRefusesWorseAcceptsBetterAndRecordsForcedMovesInOrder() throws Exception {
    String root = tmp.newFolder("registry").toString();
    ModelRegistry registry = ModelRegistry.at(root);

    ModelMetadata good = train(root);
    AliasChange first = promote(root, "--model=promo:1", "--alias=champion");
    assertNull(first.fromVersion);
    assertEquals("1", first.toVersion);
    assertFalse(first.forced);
    assertThat(first.reason, containsString("gate passed"));

    ModelMetadata worse = train(root, "--param=max_depth=1", "--param=num_round=1");
    assertTrue(
        "a single stump should be clearly worse: " + auc(worse) + " vs " + auc(good),
        worse.metrics.get("test_auc") < good.metrics.get("test_auc") - 0.05);

    String refused = refusal(root, "--model=promo:2", "--minAuc=0.5");
    assertThat(refused, containsString("promo:2 test AUC " + auc(worse)));
    assertThat(refused, containsString("champion promo:1 test AUC " + auc(good)));
    assertThat(refused, containsString("--maxAucDrop"));
    assertEquals(Map.of("champion", "1"), registry.aliases("promo"));
    assertEquals(1, registry.aliasHistory("promo").size());

    AliasChange forced =
        promote(root, "--model=promo:2", "--minAuc=0.5", "--force", "--reason=incident 42");
    assertTrue(forced.forced);
    assertEquals("1", forced.fromVersion);
    assertThat(forced.reason, containsString("incident 42"));
    assertThat(forced.reason, containsString("forced past the gate"));
    assertEquals(Map.of("champion", "2"), registry.aliases("promo"));

    ModelMetadata better = train(root, "--param=seed=7");
    AliasChange accepted = promote(root, "--model=promo:3");
    assertFalse(accepted.forced);
    assertEquals("2", accepted.fromVersion);
    assertEquals("3", better.version);

    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(3, history.size());
    assertEquals(
        Arrays.asList(null, "1", "2"),
        Arrays.asList(
            history.get(0).fromVersion, history.get(1).fromVersion, history.get(2).fromVersion));
    assertEquals(
        List.of("1", "2", "3"),
        List.of(history.get(0).toVersion, history.get(1).toVersion, history.get(2).toVersion));
    assertEquals(
        List.of(false, true, false),
        List.of(history.get(0).forced, history.get(1).forced, history.get(2).forced));
    for (int i = 1; i < history.size(); i++) {
      assertFalse(
          Instant.parse(history.get(i).time).isBefore(Instant.parse(history.get(i - 1).time)));
    }
    assertEquals(
        "3", registry.resolve(io.beamml.inference.registry.ModelRef.parse("promo@champion")));
  }

  @Test
  public void refusesBelowMinAucAndNoOpsWhenAlreadyHolder() throws Exception {
    String root = tmp.newFolder("strict").toString();
    ModelMetadata m = train(root);
    String refused = refusal(root, "--model=promo:1", "--minAuc=0.99");
    assertThat(
        refused, containsString("promo:1 test AUC " + auc(m) + " is below the minimum 0.9900"));
    assertTrue(ModelRegistry.at(root).aliases("promo").isEmpty());

    promote(root, "--model=promo:1");
    assertTrue(decide(root, "--model=promo:1").alreadyThere());
    assertEquals(1, ModelRegistry.at(root).aliasHistory("promo").size());
  }

  @Test
  public void comparesHeadToHeadOnAGivenTestSet() throws Exception {
    String root = tmp.newFolder("h2h").toString();
    train(root);
    train(root, "--param=max_depth=1", "--param=num_round=1");
    promote(root, "--model=promo:1", "--alias=staging");
    String refused =
        refusal(
            root, "--model=promo:2", "--alias=staging", "--minAuc=0.5", "--testSet=" + otherSetDir);
    assertThat(refused, containsString("both scored on the test split of " + otherSetDir));
    assertThat(refused, containsString("staging promo:1"));
  }

  @Test
  public void aRecordedRefusalKeepsTheAliasAndJoinsTheHistoryChain() throws Exception {
    String root = tmp.newFolder("recorded").toString();
    train(root);
    promote(root, "--model=promo:1");
    train(root, "--param=max_depth=1", "--param=num_round=1");
    Promotion p =
        PromoteModel.run(
            PipelineOptionsFactory.fromArgs(
                    "--registry=" + root, "--model=promo:2", "--minAuc=0.5", "--reason=nightly")
                .withValidation()
                .as(PromoteOptions.class),
            true);
    assertTrue(p.refused());
    assertEquals("1", p.holderVersion());
    ModelRegistry registry = ModelRegistry.at(root);
    assertEquals(Map.of("champion", "1"), registry.aliases("promo"));
    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(2, history.size());
    AliasChange refusal = history.get(1);
    assertEquals(AliasChange.REFUSED, refusal.outcome);
    assertFalse(refusal.moved());
    assertEquals("2", refusal.candidateVersion);
    assertEquals("1", refusal.fromVersion);
    assertEquals("1", refusal.toVersion);
    assertThat(refusal.reason, containsString("nightly; gate refused: promo:2 test AUC"));
    assertEquals(AliasChange.MOVED, history.get(0).outcome);
    assertEquals("1", registry.versionAt("promo", "champion", Instant.now()));
  }
}
