package io.beamml.runners.serve;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.inference.LoadedModel;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.local.SyntheticModel;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import io.beamml.serving.store.LocalRedis;
import io.beamml.transforms.features.FeatureCalculator;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code serve} driven over HTTP as a client would: the Open Inference Protocol endpoints exactly
 * as the protocol documents them, {@code /v1/score} against features computed directly with {@link
 * FeatureCalculator#asOf}, every error case, Redis going down and coming back, a champion alias
 * move seen without a restart, and no raw customer id anywhere the server writes.
 */
public class ServingEndpointTest {

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  private static final Pattern RAW_ID = Pattern.compile("C\\d{7}");
  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  private static final String NAME = "promo";
  private static final long DAY = 86_400_000L;
  private static final long T = Instant.parse("2024-03-10T12:00:00Z").toEpochMilli();

  private static final ByteArrayOutputStream LOGS = new ByteArrayOutputStream();
  private static PrintStream originalErr;
  private static LocalRedis redis;
  private static ServingHarness harness;
  private static ServingStack stack;
  private static String url;
  private static String registry;
  private static Path auditDir;
  private static String firstVersion;

  @BeforeClass
  public static void start() throws Exception {
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, LOGS), true));
    redis = LocalRedis.start();
    registry = WORK.newFolder("registry").toString();
    firstVersion = SyntheticModel.registerAs(registry, NAME, "champion", SPEC, 5, 12, 3);
    auditDir = WORK.newFolder("audit").toPath();
    harness = new ServingHarness();
    stack =
        ServingStack.start(
            ServingHarness.options(
                "--registry=" + registry,
                "--model=" + NAME + "@champion",
                "--modelRefresh=PT0.2S",
                "--onlineStore=" + redis.uri(),
                "--auditDir=" + auditDir,
                "--maxBodyBytes=20000"),
            ServingHarness.KEY,
            harness.telemetry);
    url = stack.baseUrl();
    stack.store().writeEvents(events());
    stack
        .store()
        .writeProfiles(List.of(new CustomerProfile(key("C0000001"), 41, "F", "DE", 19000)));
  }

  @AfterClass
  public static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (redis != null) {
      redis.close();
    }
    System.setErr(originalErr);
  }

  private static String key(String rawId) {
    return new Pseudonymiser(ServingHarness.KEY).pseudonym(rawId);
  }

  private static List<CustomerEvent> events() {
    List<CustomerEvent> events = new ArrayList<>();
    String k = key("C0000001");
    for (int i = 0; i < 12; i++) {
      long time = T - 6 * DAY + i * DAY / 2;
      String type = i % 3 == 0 ? "order" : i % 3 == 1 ? "view" : "click";
      events.add(
          new CustomerEvent(
              "e" + i, k, type, time, type.equals("order") ? 12.5 * (i + 1) : null, "web"));
    }
    return events;
  }

  private static float[] expectedFeatures(long asOf) {
    List<FeatureValue> values =
        FeatureCalculator.of(SPEC)
            .asOf(
                FeatureCalculator.sortedByTime(events()),
                new CustomerProfile(key("C0000001"), 41, "F", "DE", 19000),
                asOf);
    return stack.models().champion().model().vectorizer().toVector(values);
  }

  @Test
  public void healthAndServerMetadataFollowTheProtocol() throws Exception {
    ServingHarness.Reply live = harness.get(url + "/v2/health/live");
    assertEquals(200, live.status());
    assertTrue(live.json().get("live").asBoolean());
    ServingHarness.Reply ready = harness.get(url + "/v2/health/ready");
    assertEquals(200, ready.status());
    assertTrue(ready.json().get("ready").asBoolean());
    ServingHarness.Reply server = harness.get(url + "/v2");
    assertEquals(200, server.status());
    assertEquals("beamml-serve", server.json().get("name").asText());
    assertTrue(server.json().get("extensions").isArray());
  }

  @Test
  public void modelMetadataNamesVersionsInputsAndOutputs() throws Exception {
    ServingHarness.Reply meta = harness.get(url + "/v2/models/" + NAME);
    assertEquals(200, meta.status());
    JsonNode m = meta.json();
    assertEquals(NAME, m.get("name").asText());
    assertEquals("xgboost", m.get("platform").asText());
    assertThat(m.get("versions").get(0).asText(), is(stack.models().champion().version()));
    JsonNode input = m.get("inputs").get(0);
    assertEquals("FP32", input.get("datatype").asText());
    assertEquals(List.of(-1, SPEC.featureNames().size()), ints(input.get("shape")));
    assertEquals(SPEC.featureNames(), texts(input.get("parameters").get("feature_names")));
    assertEquals("score", m.get("outputs").get(0).get("name").asText());
    assertEquals(200, harness.get(url + "/v2/models/" + NAME + "/ready").status());
    ServingHarness.Reply missing = harness.get(url + "/v2/models/nope");
    assertEquals(404, missing.status());
    assertTrue(missing.json().get("error").isTextual());
  }

  @Test
  public void inferScoresFeatureTensorsInBothLayouts() throws Exception {
    LoadedModel model = stack.models().champion().model();
    int width = model.width();
    float[] rows = new float[2 * width];
    ObjectNode request = ServingHarness.JSON.createObjectNode().put("id", "req-1");
    ObjectNode tensor =
        request.putArray("inputs").addObject().put("name", "features").put("datatype", "FP32");
    tensor.putArray("shape").add(2).add(width);
    ArrayNode data = tensor.putArray("data");
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (i * 7) % 13;
      data.add(rows[i]);
    }
    request.putArray("outputs").addObject().put("name", "score");
    ServingHarness.Reply reply =
        harness.post(url + "/v2/models/" + NAME + "/infer", request.toString());
    assertEquals(reply.text(), 200, reply.status());
    float[] expected = model.predict(rows, 2);
    JsonNode out = reply.json().get("outputs").get(0);
    assertEquals("req-1", reply.json().get("id").asText());
    assertEquals(NAME, reply.json().get("model_name").asText());
    assertEquals(stack.models().champion().version(), reply.json().get("model_version").asText());
    assertEquals("score", out.get("name").asText());
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals(List.of(2), ints(out.get("shape")));
    assertEquals(expected[0], out.get("data").get(0).floatValue(), 0f);
    assertEquals(expected[1], out.get("data").get(1).floatValue(), 0f);

    // One tensor per feature, named after it, shape [N]; a null is a missing value.
    ObjectNode columns = ServingHarness.JSON.createObjectNode();
    ArrayNode inputs = columns.putArray("inputs");
    List<String> names = model.vectorizer().featureNames();
    for (int c = names.size() - 1; c >= 0; c--) {
      ObjectNode col = inputs.addObject().put("name", names.get(c)).put("datatype", "FP64");
      col.putArray("shape").add(2);
      col.putArray("data").add(rows[c]).add(rows[width + c]);
    }
    ServingHarness.Reply byColumn =
        harness.post(url + "/v2/models/" + NAME + "/infer", columns.toString());
    assertEquals(byColumn.text(), 200, byColumn.status());
    assertEquals(
        expected[1], byColumn.json().get("outputs").get(0).get("data").get(1).floatValue(), 0f);
  }

  @Test
  public void scoreComputesFeaturesAsOfTheRequestWithTheTrainingDefinition() throws Exception {
    for (long asOf : new long[] {T, T + 3 * DAY, T - 2 * DAY}) {
      String iso = Instant.ofEpochMilli(asOf).toString();
      ServingHarness.Reply reply =
          harness.post(
              url + "/v1/score",
              "{\"customer_id\": \"C0000001\", \"as_of\": \""
                  + iso
                  + "\", \"promo_id\": \"P9\", \"explain\": 3}");
      assertEquals(reply.text(), 200, reply.status());
      JsonNode r = reply.json();
      float[] expected = expectedFeatures(asOf);
      assertEquals(
          "as of " + iso,
          java.util.Arrays.toString(expected),
          java.util.Arrays.toString(ServingHarness.servedColumns(r, SPEC)));
      assertEquals(
          stack.models().champion().model().predict(expected, 1)[0],
          r.get("score").floatValue(),
          0f);
      assertTrue(r.get("known_customer").asBoolean());
      assertTrue(r.get("has_profile").asBoolean());
      assertEquals("champion", r.get("variant").asText());
      assertEquals(SPEC.fingerprint(), r.get("spec_fingerprint").asText());
      assertEquals("P9", r.get("promo_id").asText());
      assertEquals(3, r.get("contributions").size());
      assertEquals(iso, r.get("as_of").asText());
    }
  }

  @Test
  public void aListIsScoredInOrderAndAnUnknownCustomerIsFlaggedWithZeroActivity() throws Exception {
    ServingHarness.Reply reply =
        harness.post(
            url + "/v1/score",
            "[{\"customer_id\": \"C0000001\", \"as_of\": \""
                + Instant.ofEpochMilli(T)
                + "\"}, {\"customer_id\": \"C0999999\"}]");
    assertEquals(reply.text(), 200, reply.status());
    assertEquals(2, reply.json().size());
    assertTrue(reply.json().get(0).get("known_customer").asBoolean());
    JsonNode unknown = reply.json().get(1);
    assertFalse(unknown.get("known_customer").asBoolean());
    assertFalse(unknown.get("has_profile").asBoolean());
    assertEquals(0.0, unknown.get("features").get("views_7d").asDouble(), 0.0);
    assertEquals(0.0, unknown.get("features").get("spend_7d").asDouble(), 0.0);
    assertTrue(unknown.get("features").get("age").isNull());
    assertTrue(unknown.get("features").get("country").isNull());
  }

  @Test
  public void badInputGetsAV2ErrorBody() throws Exception {
    Map<String, Integer> cases =
        Map.of(
            "{\"customer_id\": \"C0000001\"", 400,
            "{\"customer_id\": \"C0000001\", \"colour\": \"red\"}", 400,
            "{\"customer_id\": 1234567}", 400,
            "{\"customer_id\": \"C0000001\", \"as_of\": \"yesterday\"}", 400,
            "{\"customer_id\": \"C0000001\", \"explain\": \"3\"}", 400,
            "[]", 400,
            "\"C0000001\"", 400);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      ServingHarness.Reply reply = harness.post(url + "/v1/score", c.getKey());
      assertEquals(c.getKey(), (int) c.getValue(), reply.status());
      assertTrue(c.getKey() + " -> " + reply.text(), reply.json().get("error").isTextual());
      assertThat(reply.json().get("error").asText(), not(containsString("C0000001")));
    }
    String[] infer = {
      "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 11], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
      "{\"inputs\": [{\"name\": \"features\", \"shape\": \"1x11\", \"datatype\": \"FP32\", \"data\": []}]}",
      "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 11], \"datatype\": \"BYTES\", \"data\": []}]}",
      "{\"inputs\": [], \"extra\": 1}",
      "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 11], \"datatype\": \"FP32\", \"data\": [1,1,1,1,1,1,1,1,1,1,1]}],"
          + " \"outputs\": [{\"name\": \"probability\"}]}",
      "not json"
    };
    for (String body : infer) {
      ServingHarness.Reply reply = harness.post(url + "/v2/models/" + NAME + "/infer", body);
      assertEquals(body, 400, reply.status());
      assertTrue(reply.json().get("error").isTextual());
    }
    ServingHarness.Reply big =
        harness.post(url + "/v1/score", "{\"customer_id\": \"" + "x".repeat(30_000) + "\"}");
    assertEquals(big.text(), 413, big.status());
    assertTrue(big.json().get("error").isTextual());
    assertEquals(404, harness.get(url + "/v3/anything").status());
    assertEquals(405, harness.get(url + "/v1/score").status());
  }

  @Test
  public void metricsCountRequestsLatencyRedisAndPredictionsOnTheSamePort() throws Exception {
    harness.post(url + "/v1/score", "{\"customer_id\": \"C0000001\"}");
    String metrics = harness.get(url + "/metrics").text();
    assertThat(
        metrics,
        containsString("beamml_serving_request_duration_seconds_bucket{endpoint=\"score\""));
    assertThat(
        metrics,
        containsString("beamml_serving_requests_total{endpoint=\"score\",status=\"200\"}"));
    assertThat(metrics, containsString("beamml_serving_online_store_read_duration_seconds_count"));
    assertThat(
        metrics,
        containsString("beamml_serving_predictions_total{model=\"promo\",model_version=\""));
  }

  @Test
  public void redisDownAnswers503AndNotReadyThenRecoversByItself() throws Exception {
    synchronized (ServingEndpointTest.class) {
      redis.stop();
      try {
        ServingHarness.Reply score =
            harness.post(url + "/v1/score", "{\"customer_id\": \"C0000001\"}");
        assertEquals(score.text(), 503, score.status());
        assertTrue(score.json().get("error").isTextual());
        assertEquals(503, harness.get(url + "/v2/health/ready").status());
        assertEquals(200, harness.get(url + "/v2/health/live").status());
      } finally {
        redis = redis.restart();
      }
      assertEquals(200, harness.get(url + "/v2/health/ready").status());
      stack.store().writeEvents(events());
      stack
          .store()
          .writeProfiles(List.of(new CustomerProfile(key("C0000001"), 41, "F", "DE", 19000)));
      assertEquals(
          200, harness.post(url + "/v1/score", "{\"customer_id\": \"C0000001\"}").status());
    }
  }

  @Test
  public void movingTheChampionAliasChangesTheModelVersionWithoutARestart() throws Exception {
    synchronized (ServingEndpointTest.class) {
      String before =
          harness
              .post(url + "/v1/score", "{\"customer_id\": \"C0000001\"}")
              .json()
              .get("model_version")
              .asText();
      String next = SyntheticModel.register(registry, NAME, SPEC, 11, 14, 3);
      assertThat(next, not(equalTo(before)));
      ModelRegistry.at(registry).moveAlias(NAME, "champion", next, true, "test");
      String seen = before;
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (!seen.equals(next) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        seen =
            harness
                .post(url + "/v1/score", "{\"customer_id\": \"C0000001\"}")
                .json()
                .get("model_version")
                .asText();
      }
      assertEquals(next, seen);
      assertEquals(
          next, harness.get(url + "/v2/models/" + NAME).json().get("versions").get(0).asText());
      ModelRegistry.at(registry).moveAlias(NAME, "champion", firstVersion, true, "test: back");
    }
  }

  @Test
  public void noRawCustomerIdInRedisLogsAuditRecordsOrTraces() throws Exception {
    harness.post(
        url + "/v1/score",
        "[{\"customer_id\": \"C0000001\", \"explain\": 2}, {\"customer_id\": \"C0000002\"}]");
    List<String> places = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : stack.store().snapshot().entrySet()) {
      places.add(e.getKey());
      for (String v : e.getValue()) {
        String hex = v.substring(v.indexOf(v.contains("=") ? '=' : ' ') + 1);
        places.add(new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1));
      }
    }
    assertThat(places.size(), greaterThan(2));
    try (Stream<Path> files = Files.list(auditDir)) {
      List<String> audit =
          files
              .flatMap(
                  f -> {
                    try {
                      return Files.readAllLines(f).stream();
                    } catch (java.io.IOException ex) {
                      throw new java.io.UncheckedIOException(ex);
                    }
                  })
              .collect(Collectors.toList());
      assertThat(audit.size(), greaterThan(1));
      assertThat(audit.get(audit.size() - 1), containsString(key("C0000002")));
      places.addAll(audit);
    }
    List<SpanData> spans = harness.spans.getFinishedSpanItems();
    assertThat(
        spans.stream().map(SpanData::getName).collect(Collectors.toList()), hasItem("POST score"));
    for (SpanData s : spans) {
      places.add(s.getName() + " " + s.getAttributes() + " " + s.getStatus() + " " + s.getEvents());
    }
    System.err.flush();
    places.add(LOGS.toString(StandardCharsets.UTF_8));
    for (String place : places) {
      assertFalse("raw customer id in: " + place, RAW_ID.matcher(place).find());
    }
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Writes to both streams: the console still shows the logs the test scans. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
