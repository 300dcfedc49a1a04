package io.beamml.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.runners.PipelineCli;
import io.beamml.serving.http.ServingServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * ops/k8s as the cluster and the launcher would take it: every manifest parses strictly into
 * Kubernetes' and the Flink operator's model classes, and what the manifests say agrees with the
 * code they run (subcommands and flags, probe paths, ports, images and jar paths, the Flink
 * version, the stream's upgrade mode and state directories).
 */
public class KubernetesManifestsTest {

  private static final Path DIR = Path.of(System.getProperty("manifests.dir", "../ops/k8s"));
  private static final String IMAGE = System.getProperty("image.name");
  private static final String FLINK_IMAGE = System.getProperty("image.flinkName");
  private static final String FLINK_JAR_DIR = System.getProperty("image.flinkJarDir");

  private static List<Path> files;
  private static List<HasMetadata> resources;

  @BeforeClass
  public static void readAll() throws IOException {
    try (Stream<Path> listing = Files.list(DIR)) {
      files =
          listing
              .filter(
                  p ->
                      p.toString().endsWith(".yaml")
                          && !p.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .collect(Collectors.toList());
    }
    resources = new ArrayList<>();
    for (Path f : files) {
      resources.addAll(StrictManifests.read(f));
    }
  }

  @Test
  public void unknownFieldsAreRefusedWithTheirPath() {
    String typo =
        String.join(
            "\n",
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata: {name: x}",
            "spec:",
            "  selector: {matchLabels: {a: b}}",
            "  template:",
            "    metadata: {labels: {a: b}}",
            "    spec:",
            "      containers:",
            "        - name: c",
            "          image: i",
            "          readinesProbe: {httpGet: {path: /, port: 80}}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> StrictManifests.parse(typo, "typo.yaml"));
    assertThat(e.getMessage(), containsString("readinesProbe"));

    String flinkTypo =
        String.join(
            "\n",
            "apiVersion: flink.apache.org/v1beta1",
            "kind: FlinkDeployment",
            "metadata: {name: x}",
            "spec:",
            "  flinkVersion: v1_19",
            "  job: {jarURI: 'local:///a.jar', upgradeMod: savepoint}");
    e =
        assertThrows(
            IllegalArgumentException.class, () -> StrictManifests.parse(flinkTypo, "flink.yaml"));
    assertThat(e.getMessage(), containsString("upgradeMod"));

    String wrongEnum = flinkTypo.replace("upgradeMod: savepoint", "upgradeMode: snapshot");
    assertThrows(
        IllegalArgumentException.class, () -> StrictManifests.parse(wrongEnum, "enum.yaml"));
    String unknownKind = "apiVersion: v1\nkind: Sevrice\nmetadata: {name: x}\n";
    assertThrows(
        IllegalArgumentException.class, () -> StrictManifests.parse(unknownKind, "kind.yaml"));
  }

  @Test
  public void theKustomizationListsEveryManifest() {
    JsonNode kustomization = StrictManifests.tree(DIR.resolve("kustomization.yaml"));
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    Set<String> present =
        files.stream()
            .map(p -> p.getFileName().toString())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(present, listed);
    assertEquals("beamml", kustomization.path("namespace").asText());
  }

  @Test
  public void everyContainerOfOurImageRunsALauncherCommandWithItsOwnFlags() {
    int checked = 0;
    for (HasMetadata r : resources) {
      for (Container c : containers(r)) {
        if (!c.getImage().startsWith("beamml/")) {
          continue;
        }
        assertEquals(r.getMetadata().getName() + " runs the image Jib builds", IMAGE, c.getImage());
        assertThat(
            r.getMetadata().getName() + " " + c.getArgs(),
            LauncherArgs.problems(c.getArgs()),
            empty());
        assertMounted(r, podSpec(r), c, LauncherArgs.value(c.getArgs(), "hmacKeyFile"));
        checked++;
      }
    }
    assertTrue("serve at least", checked >= 1);
  }

  @Test
  public void serveIsProbedOnItsHealthEndpointsAndReachedThroughItsService() {
    Deployment serve = only(Deployment.class, "beamml-serve");
    Container c = serve.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("serve", c.getArgs().get(0));
    assertEquals(ServingServer.HEALTH_READY, c.getReadinessProbe().getHttpGet().getPath());
    assertEquals(ServingServer.HEALTH_LIVE, c.getLivenessProbe().getHttpGet().getPath());
    ContainerPort http = port(c, c.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals(c.getLivenessProbe().getHttpGet().getPort().getStrVal(), http.getName());
    assertEquals(String.valueOf(http.getContainerPort()), LauncherArgs.value(c.getArgs(), "port"));
    assertEquals("0.0.0.0", LauncherArgs.value(c.getArgs(), "host"));
    assertReachable(only(Service.class, "beamml-serve"), serve.getSpec().getTemplate(), c);
  }

  @Test
  public void theOnlineStoreUrlsNameTheRedisService() {
    StatefulSet redis = only(StatefulSet.class, "beamml-redis");
    Service service = only(Service.class, "beamml-redis");
    Container c = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertReachable(service, redis.getSpec().getTemplate(), c);
    List<String> stores = new ArrayList<>();
    for (HasMetadata r : resources) {
      for (Container other : containers(r)) {
        String store =
            LauncherArgs.value(
                other.getArgs() == null ? List.of() : other.getArgs(), "onlineStore");
        if (store != null) {
          stores.add(store);
        }
      }
      if (r instanceof FlinkDeployment) {
        String store = LauncherArgs.value(jobArgs((FlinkDeployment) r), "onlineStore");
        if (store != null) {
          stores.add(store);
        }
      }
    }
    assertTrue(stores.size() >= 2);
    for (String store : stores) {
      URI uri = URI.create(store);
      assertEquals(store, service.getMetadata().getName(), uri.getHost());
      assertEquals(store, (int) service.getSpec().getPorts().get(0).getPort(), uri.getPort());
    }
  }

  @Test
  public void theStreamUpgradesThroughSavepointsOnTheFlinkItWasBuiltFor() {
    FlinkDeployment stream = only(FlinkDeployment.class, "beamml-stream");
    JobSpec job = stream.getSpec().getJob();
    assertEquals(UpgradeMode.SAVEPOINT, job.getUpgradeMode());
    Map<String, String> conf = stream.getSpec().getFlinkConfiguration();
    assertNotNull(conf.get("state.checkpoints.dir"));
    assertNotNull(conf.get("state.savepoints.dir"));
    // The operator must start the Flink the Beam runner in the jar was built against.
    String flink = EnvironmentInformation.getVersion();
    assertEquals(
        FlinkVersion.valueOf("v" + flink.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2")),
        stream.getSpec().getFlinkVersion());
    assertEquals(FLINK_IMAGE, stream.getSpec().getImage());
    assertEquals("local://" + FLINK_JAR_DIR + "/pipeline.jar", job.getJarURI());
    assertEquals(PipelineCli.class.getName(), job.getEntryClass());
    List<String> args = jobArgs(stream);
    assertEquals("stream", args.get(0));
    assertThat(LauncherArgs.problems(args), empty());
    assertEquals("FlinkRunner", LauncherArgs.value(args, "runner"));
    // A savepoint upgrade keeps state only if the job checkpoints.
    assertNotNull("the stream checkpoints", LauncherArgs.value(args, "checkpointingInterval"));
    PodTemplateSpec pod = stream.getSpec().getPodTemplate();
    Container main =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getName().equals("flink-main-container"))
            .findFirst()
            .orElseThrow();
    assertMounted(stream, pod.getSpec(), main, LauncherArgs.value(args, "hmacKeyFile"));
  }

  private static List<String> jobArgs(FlinkDeployment d) {
    return List.of(d.getSpec().getJob().getArgs());
  }

  private static <T extends HasMetadata> T only(Class<T> type, String name) {
    List<T> found =
        resources.stream()
            .filter(type::isInstance)
            .map(type::cast)
            .filter(r -> r.getMetadata().getName().equals(name))
            .collect(Collectors.toList());
    assertEquals(type.getSimpleName() + " " + name, 1, found.size());
    return found.get(0);
  }

  private static PodSpec podSpec(HasMetadata r) {
    if (r instanceof Deployment) {
      return ((Deployment) r).getSpec().getTemplate().getSpec();
    }
    if (r instanceof StatefulSet) {
      return ((StatefulSet) r).getSpec().getTemplate().getSpec();
    }
    if (r instanceof CronJob) {
      return ((CronJob) r).getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    }
    return null;
  }

  private static List<Container> containers(HasMetadata r) {
    PodSpec spec = podSpec(r);
    return spec == null ? List.of() : spec.getContainers();
  }

  private static ContainerPort port(Container c, String name) {
    return c.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
  }

  /** The service selects the pods and forwards to a port the container declares. */
  private static void assertReachable(Service service, PodTemplateSpec pods, Container c) {
    Map<String, String> labels = pods.getMetadata().getLabels();
    service
        .getSpec()
        .getSelector()
        .forEach(
            (k, v) ->
                assertEquals(service.getMetadata().getName() + " selects " + k, v, labels.get(k)));
    for (ServicePort p : service.getSpec().getPorts()) {
      port(c, p.getTargetPort().getStrVal());
    }
  }

  /** A file flag points into a volume the container mounts (the HMAC key comes from a Secret). */
  private static void assertMounted(HasMetadata owner, PodSpec pod, Container c, String file) {
    if (file == null) {
      return;
    }
    VolumeMount mount =
        c.getVolumeMounts().stream()
            .filter(m -> file.startsWith(m.getMountPath() + "/"))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        owner.getMetadata().getName() + ": no volume mounted at " + file));
    Volume volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        owner.getMetadata().getName() + ": no volume " + mount.getName()));
    assertNotNull(
        owner.getMetadata().getName() + ": the key comes from a Secret", volume.getSecret());
    assertEquals("owner-only key file", Integer.valueOf(0400), volume.getSecret().getDefaultMode());
  }
}
