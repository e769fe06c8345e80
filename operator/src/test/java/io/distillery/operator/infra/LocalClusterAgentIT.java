package io.distillery.operator.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.harnesses.LocalCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code hack/cluster up} as a newcomer runs it starts the node agent (node-agent/): its node
 * {@code mdt-node-1} is Ready, it runs the trainer image as a real process, refuses other images
 * with a clear status, and {@code down} leaves neither the agent nor any pod process behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterAgentIT {
  static final String NODE = "mdt-node-1";
  static LocalCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void up() throws Exception {
    cluster = LocalCluster.startWithAgent();
    client = cluster.client();
  }

  @AfterAll
  static void down() throws Exception {
    if (cluster == null) return;
    List<Long> pids = cluster.pids();
    List<Long> podPids = cluster.agentPodPids();
    cluster.close();
    assertThat(podPids).as("the trainer pod's process was recorded").isNotEmpty();
    for (long pid : pids) {
      assertThat(alive(pid)).as("process %d stopped by hack/cluster down", pid).isFalse();
    }
    for (long pid : podPids) {
      assertThat(alive(pid)).as("pod process %d stopped by hack/cluster down", pid).isFalse();
    }
    assertThat(cluster.stateDir()).doesNotExist();
  }

  @Test
  @Order(1)
  void theAgentsNodeIsReadyAndTaintedForDistilleryPods() throws Exception {
    assertThat(cluster.pids()).hasSizeGreaterThan(5);
    Node node = client.nodes().withName(NODE).get();
    assertThat(node.getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    assertThat(node.getStatus().getAllocatable()).containsKeys("cpu", "memory");
    assertThat(node.getSpec().getTaints())
        .anyMatch(t -> t.getKey().equals("distillery.io/node-agent"));
  }

  @Test
  @Order(2)
  void aPodOfAnotherImageFailsSayingWhy() {
    client.resource(podOnAgent("nginx", "docker.io/library/nginx:1.27", List.of())).create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Failed".equals(phase("nginx")));
    var terminated =
        client
            .pods()
            .inNamespace("default")
            .withName("nginx")
            .get()
            .getStatus()
            .getContainerStatuses()
            .get(0)
            .getState()
            .getTerminated();
    assertThat(terminated.getMessage())
        .contains("docker.io/library/nginx:1.27")
        .contains("Distillery's images only");
  }

  @Test
  @Order(3)
  void theTrainerImageRunsAsARealProcessThatDownStops() throws Exception {
    // A distillation far longer than the test: it is still running when down stops it.
    client
        .resource(
            podOnAgent(
                "trainer",
                "ghcr.io/distillery/mdt:0.1.0",
                List.of("distill", "--steps", "100000", "--out", "out")))
        .create();
    await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(phase("trainer")));
    assertThat(cluster.agentPodPids()).anyMatch(LocalClusterAgentIT::alive);
  }

  private static String phase(String pod) {
    Pod p = client.pods().inNamespace("default").withName(pod).get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static Pod podOnAgent(String name, String image, List<String> args) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withNodeSelector(Map.of("distillery.io/node-agent", "mdt"))
        .addNewToleration()
        .withKey("distillery.io/node-agent")
        .withOperator("Equal")
        .withValue("mdt")
        .withEffect("NoSchedule")
        .endToleration()
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .withArgs(args)
        .endContainer()
        .endSpec()
        .build();
  }

  /** Running, not a zombie: whoever reaps orphans here may be slow to, and that is no leak. */
  private static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }
}
