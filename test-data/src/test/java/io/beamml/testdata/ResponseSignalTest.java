package io.beamml.testdata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The truth file is learnable: recomputing the model's inputs from the written files alone (as a
 * pipeline would, windows {@code (t - 7d, t]}) explains the true probabilities up to the model's
 * noise, and customers with recent orders are far more likely to respond.
 */
public class ResponseSignalTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final Duration DAY = Duration.ofDays(1);
  private static GenerationManifest manifest;
  private static final List<Promo> PROMOS = new ArrayList<>();

  private static final class Promo {
    String customer;
    Instant sent;
    boolean responded;
    double probability;
    int orders7;
    int clicks7;
    int carts7;
    int orders1;
    double age = 40;
    double tenureYears;
  }

  @BeforeClass
  public static void generateAndRecount() throws IOException {
    Path out = TMP.newFolder("data").toPath();
    manifest =
        DataGenerator.generate(
            GeneratorConfig.of(1500, 21, 8L).withIncludeOversizedLines(false), out);

    Map<String, List<Instant>> orders = new HashMap<>();
    Map<String, List<Instant>> clicks = new HashMap<>();
    Map<String, List<Instant>> carts = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (SourceLines.DataLine line :
        SourceLines.read(out, manifest.sales(), DataGenerator.SALES_HEADER).lines) {
      if (ContractReader.salesReasons(line.content).isEmpty()) {
        String[] f = line.content.split(",");
        if (seen.add(f[0])) {
          orders.computeIfAbsent(f[1], k -> new ArrayList<>()).add(ContractReader.instant(f[6]));
        }
      }
    }
    for (SourceLines.DataLine line : SourceLines.read(out, manifest.clicks(), null).lines) {
      if (ContractReader.clickReasons(line.content).isEmpty()) {
        JsonNode e = ContractReader.json(line.content);
        if (!seen.add(e.get("event_id").textValue())) {
          continue;
        }
        String type = e.get("event_type").textValue();
        Map<String, List<Instant>> target =
            type.equals("click") ? clicks : type.equals("add_to_cart") ? carts : null;
        if (target != null) {
          target
              .computeIfAbsent(e.get("customer_id").textValue(), k -> new ArrayList<>())
              .add(ContractReader.instant(e.get("event_time").textValue()));
        }
      }
    }
    Map<String, String[]> profiles = new HashMap<>();
    for (SourceLines.DataLine line :
        SourceLines.read(out, manifest.profiles(), DataGenerator.PROFILES_HEADER).lines) {
      if (ContractReader.profileReasons(line.content).isEmpty()) {
        String[] f = line.content.split(",");
        profiles.put(f[0], f);
      }
    }
    Map<String, Double> truth = new HashMap<>();
    List<PhysicalLines.Line> truthLines = PhysicalLines.read(out.resolve(DataGenerator.TRUTH_FILE));
    for (PhysicalLines.Line line : truthLines.subList(1, truthLines.size())) {
      String[] f = line.content.split(",");
      truth.put(f[0], Double.parseDouble(f[2]));
    }
    for (SourceLines.DataLine line :
        SourceLines.read(out, manifest.responses(), DataGenerator.RESPONSES_HEADER).lines) {
      if (!ContractReader.responseReasons(line.content).isEmpty()) {
        continue;
      }
      String[] f = line.content.split(",");
      if (!seen.add(f[0])) {
        continue;
      }
      Promo p = new Promo();
      p.customer = f[1];
      p.sent = ContractReader.instant(f[2]);
      p.responded = f[3].equals("1");
      p.probability = truth.get(f[0]);
      p.orders7 = countIn(orders.get(p.customer), p.sent, 7);
      p.clicks7 = countIn(clicks.get(p.customer), p.sent, 7);
      p.carts7 = countIn(carts.get(p.customer), p.sent, 7);
      p.orders1 = countIn(orders.get(p.customer), p.sent, 1);
      String[] profile = profiles.get(p.customer);
      if (profile != null) {
        p.age = Integer.parseInt(profile[1]);
        long sentDay = Math.floorDiv(p.sent.getEpochSecond(), 86_400L);
        p.tenureYears = (sentDay - LocalDate.parse(profile[4]).toEpochDay()) / 365.25;
      }
      PROMOS.add(p);
    }
    assertEquals(manifest.promosSent(), PROMOS.size());
    assertEquals(truth.size(), PROMOS.size());
  }

  @Test
  public void recentOrdersRaiseTheResponseProbability() {
    double[] withOrders = meanProbability(true);
    double[] without = meanProbability(false);
    assertTrue("promos with recent orders: " + withOrders[1], withOrders[1] >= 30);
    assertTrue(
        "mean p with orders " + withOrders[0] + " vs without " + without[0],
        withOrders[0] > without[0] + 0.15);
    double respondedWith = respondedRate(true);
    double respondedWithout = respondedRate(false);
    assertTrue(respondedWith + " vs " + respondedWithout, respondedWith > respondedWithout + 0.1);
  }

  @Test
  public void baseRateIsBetweenTenAndTwentyPercent() {
    assertTrue("" + manifest.meanResponseProbability(), manifest.meanResponseProbability() > 0.10);
    assertTrue("" + manifest.meanResponseProbability(), manifest.meanResponseProbability() < 0.20);
    double responded = (double) manifest.promosResponded() / manifest.promosSent();
    assertTrue("" + responded, responded > 0.08 && responded < 0.22);
  }

  @Test
  public void featuresFromTheFilesExplainTheTruthUpToNoise() {
    double sum = 0;
    double sumSq = 0;
    double worst = 0;
    for (Promo p : PROMOS) {
      double predictor =
          ResponseModel.INTERCEPT
              + ResponseModel.ORDERS_7D * p.orders7
              + ResponseModel.CLICKS_7D * p.clicks7
              + ResponseModel.CARTS_7D * p.carts7
              + ResponseModel.ORDERS_1D * p.orders1
              + ResponseModel.AGE * (p.age - 40)
              + ResponseModel.TENURE_YEARS * Math.min(5, Math.max(0, p.tenureYears));
      double residual = Math.log(p.probability / (1 - p.probability)) - predictor;
      sum += residual;
      sumSq += residual * residual;
      worst = Math.max(worst, Math.abs(residual));
    }
    int n = PROMOS.size();
    double mean = sum / n;
    double sd = Math.sqrt(sumSq / n - mean * mean);
    assertEquals("mean residual", 0.0, mean, 0.05);
    assertEquals("residual sd", ResponseModel.NOISE_SD, sd, 0.03);
    assertTrue("worst residual " + worst, worst < 5 * ResponseModel.NOISE_SD);
  }

  private static int countIn(List<Instant> times, Instant asOf, int days) {
    if (times == null) {
      return 0;
    }
    Instant from = asOf.minus(DAY.multipliedBy(days));
    int n = 0;
    for (Instant t : times) {
      n += t.isAfter(from) && !t.isAfter(asOf) ? 1 : 0;
    }
    return n;
  }

  private static double[] meanProbability(boolean recentOrders) {
    double sum = 0;
    int n = 0;
    for (Promo p : PROMOS) {
      if ((p.orders7 > 0) == recentOrders) {
        sum += p.probability;
        n++;
      }
    }
    return new double[] {sum / n, n};
  }

  private static double respondedRate(boolean recentOrders) {
    int responded = 0;
    int n = 0;
    for (Promo p : PROMOS) {
      if ((p.orders7 > 0) == recentOrders) {
        responded += p.responded ? 1 : 0;
        n++;
      }
    }
    return (double) responded / n;
  }
}
