package io.beamml.pipelines.trainingset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.summary.RunSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A few hand-written raw lines through the whole build, with the JSON Lines copy of the examples.
 */
public class TrainingSetJsonLinesTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static String click(String id, String customer, String type, String time) {
    return "{\"event_id\":\""
        + id
        + "\",\"customer_id\":\""
        + customer
        + "\",\"event_type\":\""
        + type
        + "\",\"product_id\":\"SKU-00001\",\"price\":9.5,\"event_time\":\""
        + time
        + "\",\"session_id\":\"S1\",\"channel\":\"web\"}";
  }

  @Test
  public void rawLinesBecomeExamplesAsOfTheSendTime() throws IOException {
    Path in = tmp.newFolder("in").toPath();
    Files.write(
        in.resolve("clicks.jsonl"),
        List.of(
            click("E1", "C0000001", "click", "2026-01-05T10:00:00Z"),
            click("E2", "C0000001", "click", "2026-01-05T10:00:00.001Z"),
            click("E3", "C0000001", "view", "2026-01-05T11:00:00+01:00"),
            click("E4", "C0000002", "click", "2026-01-04T00:00:00Z")),
        StandardCharsets.UTF_8);
    Files.write(
        in.resolve("profiles.csv"),
        List.of("customer_id,age,gender,country,signup_date", "C0000001,30,F,DE,2020-01-01"),
        StandardCharsets.UTF_8);
    Files.write(
        in.resolve("responses.csv"),
        List.of(
            "promo_id,customer_id,sent_time,responded",
            "P1,C0000001,2026-01-05T10:00:00Z,1",
            "P2,C0000002,2026-01-05T12:00:00Z,0",
            "P3,C0000003,2026-01-06T00:00:00Z,0",
            "P4,C0000001,not-a-time,0",
            "P1,C0000001,2026-01-05T10:00:00Z,1"),
        StandardCharsets.UTF_8);
    Path out = tmp.newFolder("out").toPath();
    TrainingSetPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--clicks=" + in.resolve("clicks.jsonl"),
                "--profiles=" + in.resolve("profiles.csv"),
                "--responses=" + in.resolve("responses.csv"),
                "--output=" + out,
                "--exampleFormat=jsonl",
                "--validationFraction=0.34",
                "--testFraction=0.34")
            .as(TrainingSetPipeline.Options.class);

    TrainingSetPipeline.run(options, SampleData.KEY);

    ObjectMapper mapper = new ObjectMapper();
    Map<String, JsonNode> byPromo = new TreeMap<>();
    for (String line :
        SampleData.linesUnder(out.resolve(TrainingSetPipeline.EXAMPLES_JSONL_DIR), ".jsonl")) {
      JsonNode x = mapper.readTree(line);
      byPromo.put(x.path("promo_id").asText(), x);
    }
    assertEquals(List.of("P1", "P2", "P3"), List.copyOf(byPromo.keySet()));
    JsonNode p1 = byPromo.get("P1");
    assertEquals("2026-01-05T10:00:00Z", p1.path("sent_time").asText());
    assertEquals(1, p1.path("label").asInt());
    assertEquals(
        1.0, p1.path("clicks_7d").asDouble(), 0); // E1 at the send time; E2 1 ms later is out
    assertEquals(1.0, p1.path("views_7d").asDouble(), 0); // E3, the same instant in another offset
    assertEquals(30.0, p1.path("age").asDouble(), 0);
    assertEquals("F", p1.path("gender").asText());
    JsonNode p2 = byPromo.get("P2");
    assertEquals(1.0, p2.path("clicks_7d").asDouble(), 0); // E4, a day and a half before
    assertTrue(p2.path("age").isNull());
    JsonNode p3 = byPromo.get("P3");
    assertEquals(0.0, p3.path("clicks_7d").asDouble(), 0);
    assertTrue(p3.path("country").isNull());
    assertEquals(
        List.of("train", "validation", "test"),
        List.of(p1.path("split").asText(), p2.path("split").asText(), p3.path("split").asText()));
    assertFalse(p1.path("customer_key").asText().startsWith("C000"));

    JsonNode responses =
        mapper.readTree(RunSummary.read(out.toString())).path("sources").path("responses");
    assertEquals(5, responses.path("records_in").asLong());
    assertEquals(3, responses.path("records_out").asLong());
    assertEquals(1, responses.path("duplicates").asLong());
    assertEquals(1, responses.path("dead_letters").path("unparseable_timestamp").asLong());
    assertTrue(responses.path("balanced").asBoolean());
    assertTrue(Files.isRegularFile(out.resolve(TrainingSetPipeline.SPEC_FILE)));
    assertFalse(Files.exists(out.resolve(TrainingSetPipeline.EXAMPLES_CSV_DIR)));
  }

  @Test
  public void responsesAreRequired() {
    TrainingSetPipeline.Options options =
        PipelineOptionsFactory.fromArgs("--clicks=x.jsonl", "--output=" + tmp.getRoot())
            .as(TrainingSetPipeline.Options.class);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingSetPipeline.build(Pipeline.create(options), options, SampleData.KEY));
    assertTrue(e.getMessage(), e.getMessage().contains("--responses"));
  }
}
