package io.beamml.devtools.benchmark;

import io.beamml.local.SyntheticModel;
import io.beamml.runners.Subcommand;
import io.beamml.runners.commands.CommandSupport;
import io.beamml.runners.serve.ServeOptions;
import io.beamml.runners.serve.ServingStack;
import io.beamml.serving.store.LocalRedis;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code ./pipeline benchmark-serve}: in one run, a local redis-server filled with synthetic
 * customers, the server on a loopback port with a synthetic model of the default spec, then the
 * floor (one customer's state from Redis), single-customer {@code /v1/score} at increasing rates,
 * throughput at saturation and 100-customer requests, each against the goals.
 */
public final class BenchmarkServeCommand implements Subcommand {

  /** Flags of {@code benchmark-serve}. */
  public interface Options extends PipelineOptions {
    @Description("Customers written to the store")
    @Default.Integer(5000)
    Integer getBenchCustomers();

    void setBenchCustomers(Integer value);

    @Description("Events per customer, spread over the 7 days before now")
    @Default.Integer(40)
    Integer getBenchEventsPerCustomer();

    void setBenchEventsPerCustomer(Integer value);

    @Description("Request rates (requests/s) of single-customer /v1/score, comma separated")
    @Default.String("100,250,500,1000,2000")
    String getRates();

    void setRates(String value);

    @Description("Seconds at each rate")
    @Default.Double(6)
    Double getSecondsPerRate();

    void setSecondsPerRate(Double value);

    @Description("Closed-loop clients for the saturation run")
    @Default.Integer(16)
    Integer getClients();

    void setClients(Integer value);

    @Description("100-customer requests sent one after another")
    @Default.Integer(300)
    Integer getBatchRequests();

    void setBatchRequests(Integer value);
  }

  @Override
  public String name() {
    return "benchmark-serve";
  }

  @Override
  public String summary() {
    return "measure serve: Redis floor, /v1/score p50/p99 at increasing rates, saturation, 100 customers per request";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = CommandSupport.options(args, Options.class);
    Path work = Files.createTempDirectory("beamml-benchmark-serve");
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    HmacKey key = HmacKey.ofBytes(secret);
    String registry = work.resolve("registry").toString();
    String version =
        SyntheticModel.registerAs(
            registry, "promo", "champion", FeatureSpec.defaultSpec(), 7, 100, 6);
    CommandSupport.say(
        "benchmark-serve: "
            + Runtime.getRuntime().availableProcessors()
            + " cores; model promo:"
            + version
            + " (100 trees, depth 6); "
            + options.getBenchCustomers()
            + " customers x "
            + options.getBenchEventsPerCustomer()
            + " events in Redis");
    try (LocalRedis redis = LocalRedis.start()) {
      PipelineOptionsFactory.register(ServeOptions.class);
      ServeOptions serve =
          PipelineOptionsFactory.fromArgs(
                  "--registry=" + registry,
                  "--model=promo@champion",
                  "--onlineStore=" + redis.uri(),
                  "--port=0",
                  "--auditDir=" + work.resolve("audit"))
              .as(ServeOptions.class);
      try (ServingStack stack = ServingStack.start(serve, key, OpenTelemetry.noop())) {
        Pseudonymiser pseudonymiser = new Pseudonymiser(key);
        List<String> ids =
            ServeBenchmark.fill(
                stack.store(),
                pseudonymiser,
                options.getBenchCustomers(),
                options.getBenchEventsPerCustomer(),
                System.currentTimeMillis());
        List<String> keys = new ArrayList<>();
        for (String id : ids) {
          keys.add(pseudonymiser.pseudonym(id));
        }
        ServeBenchmark bench = new ServeBenchmark(stack.baseUrl(), ids);
        ServeBenchmark.Result floor = ServeBenchmark.redisFloor(stack.store(), keys, 20_000);
        CommandSupport.say(floor.toString());
        CommandSupport.say(ServeBenchmark.redisBatch(stack.store(), keys, 100, 2000).toString());
        bench.warmUp(3000);
        CommandSupport.say(bench.liveAtRate(500, options.getSecondsPerRate()).toString());
        ServeBenchmark.Result at500 = null;
        for (String rate : options.getRates().split(",")) {
          ServeBenchmark.Result r =
              bench.atRate(Integer.parseInt(rate.trim()), options.getSecondsPerRate());
          CommandSupport.say(r.toString());
          if (rate.trim().equals("500")) {
            at500 = r;
          }
        }
        ServeBenchmark.Result saturation =
            bench.saturation(options.getClients(), options.getSecondsPerRate());
        CommandSupport.say(saturation.toString());
        ServeBenchmark.Result hundred = bench.batches(100, options.getBatchRequests());
        CommandSupport.say(hundred.toString());
        CommandSupport.say("");
        CommandSupport.say("goals:");
        if (at500 != null) {
          CommandSupport.say(
              String.format(
                  "  p99 at 500 req/s <= 5 ms:          %.3f ms  %s",
                  at500.p99(), at500.p99() <= 5 ? "met" : "NOT met"));
          double ratio = at500.p50() / floor.p50();
          CommandSupport.say(
              String.format(
                  "  p50 within 3x of the floor:        %.3f / %.3f ms = %.1fx  %s",
                  at500.p50(), floor.p50(), ratio, ratio <= 3 ? "met" : "NOT met"));
        }
        CommandSupport.say(
            String.format(
                "  100 customers per request p99 <= 20 ms: %.3f ms  %s",
                hundred.p99(), hundred.p99() <= 20 ? "met" : "NOT met"));
        CommandSupport.say(
            String.format(
                "  throughput at saturation:          %.0f req/s", saturation.throughput()));
      }
    }
    return 0;
  }
}
