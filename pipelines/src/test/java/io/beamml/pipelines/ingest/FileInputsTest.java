package io.beamml.pipelines.ingest;

import static org.junit.Assert.assertEquals;

import io.beamml.pipelines.SampleData;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.validate.ContractRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every batch door reads its files byte-exact: invalid UTF-8 is refused with its bytes kept (two
 * ids that differ only there no longer merge into one customer), a CSV record whose quoted field
 * holds a line break is one record, and a validate dead letter holds the line as read.
 */
public class FileInputsTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
  private final List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
  private final List<byte[]> badLines = new ArrayList<>();

  /**
   * The line with {@code #} replaced by one invalid byte; remembered as a line that must be
   * refused.
   */
  private byte[] invalid(String line, int b) {
    int at = line.indexOf('#');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(line.substring(0, at).getBytes(StandardCharsets.UTF_8));
    out.write(b);
    out.writeBytes(line.substring(at + 1).getBytes(StandardCharsets.UTF_8));
    byte[] bytes = out.toByteArray();
    badLines.add(bytes);
    return bytes;
  }

  private String write(String name, Object... lines) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object line : lines) {
      out.writeBytes(
          line instanceof String
              ? ((String) line).getBytes(StandardCharsets.UTF_8)
              : (byte[]) line);
      out.write('\n');
    }
    Path file = tmp.getRoot().toPath().resolve(name);
    Files.write(file, out.toByteArray());
    return file.toString();
  }

  @Test
  public void everyBatchSourceRefusesInvalidUtf8AndReadsQuotedLineBreaks() throws IOException {
    ContractRules rules = ContractRules.defaults();
    String click =
        "{\"event_id\":\"E%s\",\"customer_id\":\"C000%s1\",\"event_type\":\"view\",\"product_id\":\"P1\","
            + "\"event_time\":\"2026-01-05T10:00:00Z\",\"session_id\":\"S1\",\"channel\":\"web\"}";
    String clicks =
        write(
            "clicks.jsonl",
            String.format(click, "1", "0"),
            invalid(String.format(click, "2", "#"), 0xff),
            invalid(String.format(click, "3", "#"), 0xfe));
    String sales =
        write(
            "sales.csv",
            "order_id,customer_id,product_id,quantity,amount,currency,order_time",
            "O1,C0001,P1,1,2.5,EUR,2026-01-05T10:00:00Z",
            invalid("O2,C000#1,P1,1,2.5,EUR,2026-01-05T10:00:00Z", 0xff),
            invalid("O3,C000#1,P1,1,2.5,EUR,2026-01-05T10:00:00Z", 0xfe),
            "\"O4\r\nsecond line, with \"\"quotes\"\"\",C0001,P1,1,2.5,EUR,2026-01-05T10:00:00Z\r");
    String profiles =
        write(
            "profiles.csv",
            "customer_id,age,gender,country,signup_date",
            "C0001,30,F,DE,2024-01-01",
            invalid("C000#1,30,F,DE,2024-01-01", 0xff),
            invalid("C000#1,30,F,DE,2024-01-01", 0xfe),
            "\"C0002, \"\"the\r\nsecond\"\"\",31,M,FR,2024-01-02");
    String responses =
        write(
            "responses.csv",
            "promo_id,customer_id,sent_time,responded",
            "R1,C0001,2026-01-05T10:00:00Z,1",
            invalid("R2,C000#1,2026-01-05T10:00:00Z,1", 0xff),
            invalid("R3,C000#1,2026-01-05T10:00:00Z,0", 0xfe),
            "\"R4\nnext, \"\"quoted\"\"\",C0001,2026-01-05T10:00:00Z,0");

    PCollection<CustomerEvent> clickEvents =
        ingest(clicks, Ingest.clicks(SampleData.KEY, rules)).records();
    PCollection<CustomerEvent> orders =
        ingest(sales, Ingest.sales(SampleData.KEY, rules)).records();
    PCollection<?> profileRecords =
        ingest(profiles, Ingest.profiles(SampleData.KEY, rules)).records();
    PCollection<LabelledPromo> promos =
        ingest(responses, Ingest.responses(SampleData.KEY, rules)).records();

    PAssert.that(ids(clickEvents, "ClickIds")).containsInAnyOrder("E1");
    PAssert.that(ids(orders, "OrderIds"))
        .containsInAnyOrder("O1", "O4\r\nsecond line, with \"quotes\"");
    PAssert.that(
            promos.apply(
                "PromoIds",
                MapElements.into(TypeDescriptors.strings()).via(LabelledPromo::getPromoId)))
        .containsInAnyOrder("R1", "R4\nnext, \"quoted\"");
    PAssert.that(
            profileRecords.apply("CountProfiles", org.apache.beam.sdk.transforms.Count.globally()))
        .containsInAnyOrder(2L);

    PCollection<DeadLetter> all = PCollectionList.of(deadLetters).apply(Flatten.pCollections());
    List<byte[]> expectedBad = List.copyOf(badLines);
    PAssert.that(all)
        .satisfies(
            found -> {
              List<byte[]> seen = new ArrayList<>();
              for (DeadLetter d : found) {
                assertEquals(d.toString(), Steps.PARSE, d.getStep());
                assertEquals(d.toString(), Reasons.INVALID_UTF8, d.getReason());
                seen.add(Base64.getDecoder().decode(d.getRawBase64()));
              }
              assertEquals(
                  "only the invalid lines are dead letters", expectedBad.size(), seen.size());
              for (byte[] bad : expectedBad) {
                assertEquals(
                    "kept exactly once: " + new String(bad, StandardCharsets.UTF_8),
                    1,
                    seen.stream().filter(s -> java.util.Arrays.equals(s, bad)).count());
              }
              return null;
            });
    PAssert.that(summary())
        .satisfies(
            table -> {
              Map<String, Long> byKey = new TreeMap<>();
              table.forEach(kv -> byKey.merge(kv.getKey(), kv.getValue(), Long::sum));
              assertEquals(
                  Map.of(
                      "clicks/records_in",
                      3L,
                      "clicks/duplicates",
                      0L,
                      "sales/records_in",
                      4L,
                      "sales/duplicates",
                      0L,
                      "profiles/records_in",
                      4L,
                      "profiles/duplicates",
                      0L,
                      "responses/records_in",
                      4L,
                      "responses/duplicates",
                      0L),
                  byKey);
              return null;
            });
    pipeline.run();
  }

  @Test
  public void validateDeadLettersHoldTheLineAsRead() throws IOException {
    ContractRules rules = ContractRules.defaults();
    String csv = "O9,C0001,P1,1,2.5,EUR,9999-12-31T23:59:59Z";
    String json =
        "{\"event_id\":\"E9\",\"customer_id\":\"C0001\",\"event_type\":\"view\",\"product_id\":\"P1\","
            + "\"price\":-1.50,\"event_time\":\"2026-01-05T12:00:00+02:00\",\"session_id\":\"S1\",\"channel\":\"web\"}";
    ingest(
        write(
            "sales.csv",
            "order_id,customer_id,product_id,quantity,amount,currency,order_time",
            csv + "\r"),
        Ingest.sales(SampleData.KEY, rules));
    ingest(write("clicks.jsonl", json), Ingest.clicks(SampleData.KEY, rules));
    PAssert.that(
            PCollectionList.of(deadLetters)
                .apply(Flatten.pCollections())
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            d ->
                                d.getStep()
                                    + "/"
                                    + d.getReason()
                                    + ": "
                                    + d.getRaw()
                                    + " base64="
                                    + d.getRawBase64())))
        .containsInAnyOrder(
            "validate/" + ContractRules.EVENT_TIME_PLAUSIBLE + ": " + csv + " base64=null",
            "validate/" + ContractRules.PRICE_NOT_NEGATIVE + ": " + json + " base64=null");
    pipeline.run();
  }

  private <R, T> IngestResult<T, R> ingest(String file, Ingest<R, T> ingest) {
    return OfflineInputs.ingestFiles(pipeline, file, ingest, counts, deadLetters);
  }

  private static PCollection<String> ids(PCollection<CustomerEvent> events, String name) {
    return events.apply(
        name, MapElements.into(TypeDescriptors.strings()).via(CustomerEvent::getEventId));
  }

  private PCollection<KV<String, Long>> summary() {
    return PCollectionList.of(counts).apply("FlattenCounts", Flatten.pCollections());
  }
}
