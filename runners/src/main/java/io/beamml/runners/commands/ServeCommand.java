package io.beamml.runners.commands;

import io.beamml.runners.Subcommand;
import io.beamml.runners.serve.ServeOptions;
import io.beamml.runners.serve.ServingStack;
import io.beamml.runners.serve.ServingTelemetry;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.concurrent.CountDownLatch;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline serve}: the live scoring endpoint over the Redis online store, until stopped.
 */
public final class ServeCommand implements Subcommand {

  @Override
  public String name() {
    return "serve";
  }

  @Override
  public String summary() {
    return "HTTP scoring: Open Inference Protocol (KServe V2) and /v1/score over the Redis online store, /metrics";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return ServeOptions.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    ServeOptions options = CommandSupport.options(args, ServeOptions.class);
    HmacKey key = HmacKey.resolve(options.getHmacKeyFile(), System.getenv());
    OpenTelemetrySdk telemetry = ServingTelemetry.fromEnvironment(System.getenv());
    ServingStack stack = ServingStack.start(options, key, telemetry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stack.close();
                  telemetry.close();
                  stopped.countDown();
                },
                "serve-shutdown"));
    CommandSupport.say(
        "serve: "
            + options.getModel()
            + " on "
            + stack.baseUrl()
            + " (store "
            + options.getOnlineStore()
            + ", ready: "
            + stack.server().isReady()
            + "); Ctrl-C stops");
    CommandSupport.say("  try: " + curlLine(stack.baseUrl(), "CUSTOMER_ID"));
    stopped.await();
    return 0;
  }

  /** A request that works against a server at {@code baseUrl}, for the console. */
  public static String curlLine(String baseUrl, String customerId) {
    return "curl -s -X POST "
        + baseUrl
        + "/v1/score -H 'Content-Type: application/json' -d '{\"customer_id\": \""
        + customerId
        + "\", \"explain\": 3}'";
  }
}
