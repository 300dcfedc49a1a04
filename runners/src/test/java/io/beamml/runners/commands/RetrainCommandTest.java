package io.beamml.runners.commands;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.trainingset.TrainingWindow;
import io.beamml.runners.ExitCode;
import io.beamml.runners.PipelineCli;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code retrain} as a scheduler runs it, twice on one registry: the first run promotes its model
 * (no champion yet), the second, over a shorter window and with a stricter gate, is refused; both
 * decisions are in the alias history and the champion stays the first run's.
 */
public class RetrainCommandTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String AS_OF = "2026-01-15T00:00:00Z";

  @Test
  public void onePromotesTheNextIsRefusedAndTheHistoryHoldsBoth() throws Exception {
    Path data = TMP.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(300, 14, 11).withIncludeOversizedLines(false), data);
    Path key = TMP.getRoot().toPath().resolve("hmac.key");
    HmacKey.createLocalKey(key);
    String registry = TMP.getRoot().toPath().resolve("registry").toString();
    Path work = TMP.getRoot().toPath().resolve("retrain");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int first =
        cli(err, args(data, key, registry, work, "--trainingWindowDays=14", "--minAuc=0.5"));
    assertEquals(err.toString(StandardCharsets.UTF_8), ExitCode.OK.code(), first);
    ModelRegistry models = ModelRegistry.at(registry);
    assertEquals(Map.of("champion", "1"), models.aliases("promo"));

    err.reset();
    int second =
        cli(err, args(data, key, registry, work, "--trainingWindowDays=7", "--minAuc=0.99"));
    assertEquals(err.toString(StandardCharsets.UTF_8), ExitCode.PROMOTION_REFUSED.code(), second);
    assertEquals(
        "the refused version stays registered", List.of("1", "2"), models.versions("promo"));
    assertEquals("the champion did not move", Map.of("champion", "1"), models.aliases("promo"));

    List<AliasChange> history = models.aliasHistory("promo");
    assertEquals(2, history.size());
    AliasChange promoted = history.get(0);
    assertEquals(AliasChange.MOVED, promoted.outcome);
    assertNull(promoted.fromVersion);
    assertEquals("1", promoted.toVersion);
    assertThat(
        promoted.reason, containsString("retrain on 14 days up to " + AS_OF + "; gate passed"));
    AliasChange refused = history.get(1);
    assertEquals(AliasChange.REFUSED, refused.outcome);
    assertFalse(refused.moved());
    assertEquals("2", refused.candidateVersion);
    assertEquals("1", refused.fromVersion);
    assertEquals("1", refused.toVersion);
    assertThat(
        refused.reason,
        containsString("retrain on 7 days up to " + AS_OF + "; gate refused: promo:2 test AUC"));
    assertThat(refused.reason, containsString("is below the minimum 0.9900"));
    assertThat(refused.reason, containsString("both scored on the test split of " + work));

    // The shorter window left responses out, and the summary still accounts for each one.
    JsonNode summary = new ObjectMapper().readTree(work.resolve("summary.json").toFile());
    assertTrue(summary.toString(), summary.path("balanced").asBoolean());
    JsonNode responses = summary.path("sources").path("responses");
    long outside = responses.path(TrainingWindow.OUTSIDE).asLong();
    assertTrue(responses.toString(), outside > 0);
    assertTrue(responses.toString(), responses.path("records_out").asLong() > outside);
  }

  private static String[] args(Path data, Path key, String registry, Path work, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "retrain",
                "--clicks=" + data.resolve(DataGenerator.CLICKS_DIR) + "/*.jsonl",
                "--sales=" + data.resolve(DataGenerator.SALES_DIR) + "/*.csv",
                "--profiles=" + data.resolve(DataGenerator.PROFILES_FILE),
                "--responses=" + data.resolve(DataGenerator.RESPONSES_FILE),
                "--hmacKeyFile=" + key,
                "--registry=" + registry,
                "--modelName=promo",
                "--output=" + work,
                "--asOf=" + AS_OF));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private static int cli(ByteArrayOutputStream err, String... args) {
    return PipelineCli.standard()
        .run(
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
