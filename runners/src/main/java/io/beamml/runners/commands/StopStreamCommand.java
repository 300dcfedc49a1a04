package io.beamml.runners.commands;

import io.beamml.runners.Subcommand;
import java.net.URI;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;

/**
 * {@code ./pipeline stop-stream}: stops a running stream with a savepoint through Flink's REST API
 * and prints the savepoint's path, which {@code ./pipeline stream --savepointPath=PATH} (a new
 * build or changed flags) resumes from with the dedup and feature state of that moment. The sources
 * stop at the savepoint, so the stopped job's outputs are exactly those of the saved state: the
 * resumed job neither repeats nor misses an event.
 */
public final class StopStreamCommand implements Subcommand {

  @Override
  public String name() {
    return "stop-stream";
  }

  @Override
  public String summary() {
    return "stop a running stream with a savepoint (Flink REST at --flinkMaster) and print its path for stream --savepointPath";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return StopStreamOptions.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    StopStreamOptions options = CommandSupport.options(args, StopStreamOptions.class);
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    if (master == null || !master.matches("[^\\[\\]:]+:\\d+")) {
      throw new IllegalArgumentException(
          "--flinkMaster=HOST:PORT must name the Flink REST address (for embedded"
              + " Flink, start the stream with --embeddedRestPort=PORT and pass --flinkMaster=127.0.0.1:PORT), got "
              + master);
    }
    String host = master.substring(0, master.lastIndexOf(':'));
    int port = Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, host);
    conf.set(RestOptions.PORT, port);
    try (RestClusterClient<StandaloneClusterId> client =
        new RestClusterClient<>(conf, StandaloneClusterId.getInstance())) {
      JobID job =
          options.getJobId() != null
              ? JobID.fromHexString(options.getJobId())
              : theRunningJob(client, master);
      String path =
          client
              .stopWithSavepoint(
                  job,
                  false,
                  savepointTarget(options.getSavepointDir()),
                  SavepointFormatType.CANONICAL)
              .get(180, TimeUnit.SECONDS);
      CommandSupport.say(
          "stop-stream: job "
              + job
              + " stopped with a savepoint; resume with --savepointPath="
              + path);
      System.out.println(path);
      return 0;
    }
  }

  private static JobID theRunningJob(RestClusterClient<StandaloneClusterId> client, String master)
      throws Exception {
    Collection<JobStatusMessage> jobs = client.listJobs().get(30, TimeUnit.SECONDS);
    List<JobStatusMessage> running =
        jobs.stream()
            .filter(j -> j.getJobState() == JobStatus.RUNNING)
            .collect(Collectors.toList());
    if (running.size() != 1) {
      throw new IllegalArgumentException(
          running.size()
              + " jobs are running at "
              + master
              + (running.isEmpty()
                  ? ""
                  : " ("
                      + running.stream()
                          .map(j -> j.getJobId() + " " + j.getJobName())
                          .collect(Collectors.joining(", "))
                      + "); name one with --jobId"));
    }
    return running.get(0).getJobId();
  }

  /** A local path as an absolute file URI, so the JobManager writes where the caller means. */
  static String savepointTarget(String dir) {
    if (dir.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*") || dir.startsWith("file:")) {
      return dir;
    }
    URI uri = Paths.get(dir).toAbsolutePath().toUri();
    return uri.toString();
  }
}
