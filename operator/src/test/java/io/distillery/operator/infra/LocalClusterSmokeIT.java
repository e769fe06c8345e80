package io.distillery.operator.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.harnesses.LocalCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local cluster of {@code hack/cluster} behaves like a real one for GPU scheduling: the job
 * controller, the scheduler and kwok's simulated nodes work together, and {@code down} leaves no
 * process behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterSmokeIT {
  static LocalCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void up() throws Exception {
    cluster = LocalCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void down() throws Exception {
    if (cluster == null) return;
    List<Long> pids = cluster.pids();
    cluster.close();
    assertThat(pids).isNotEmpty();
    for (long pid : pids) {
      assertThat(alive(pid)).as("process %d stopped by hack/cluster down", pid).isFalse();
    }
    assertThat(cluster.stateDir()).doesNotExist();
  }

  @Test
  @Order(1)
  void gpuNodeIsReadyWithGpuCapacity() {
    Node gpu = client.nodes().withName("gpu-node-1").get();
    assertThat(gpu.getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    assertThat(gpu.getStatus().getAllocatable()).containsEntry("nvidia.com/gpu", new Quantity("8"));
    Node cpu = client.nodes().withName("cpu-node-1").get();
    assertThat(cpu.getStatus().getAllocatable()).doesNotContainKey("nvidia.com/gpu");
  }

  @Test
  @Order(2)
  void jobAskingForOneGpuRunsOnTheGpuNodeAndCompletes() {
    client.resource(gpuJob("one-gpu", 1)).create();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                succeeded(
                    client.batch().v1().jobs().inNamespace("default").withName("one-gpu").get()));
    Pod pod = podOf("one-gpu").orElseThrow();
    assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-node-1");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
  }

  @Test
  @Order(3)
  void jobAskingForSixteenGpusStaysPendingWithTheSchedulersReason() {
    client.resource(gpuJob("sixteen-gpus", 16)).create();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> podOf("sixteen-gpus").flatMap(LocalClusterSmokeIT::scheduled).isPresent());
    Pod pod = podOf("sixteen-gpus").orElseThrow();
    PodCondition scheduled = scheduled(pod).orElseThrow();
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(scheduled.getStatus()).isEqualTo("False");
    assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
    assertThat(scheduled.getMessage()).contains("Insufficient nvidia.com/gpu");
  }

  @Test
  @Order(4)
  void nodesRenewTheirLeasesAndStayReadyLongerThanTheGracePeriod() throws Exception {
    List<String> notReady = new CopyOnWriteArrayList<>();
    Watcher<Node> watcher =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, Node node) {
            node.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready") && !c.getStatus().equals("True"))
                .forEach(c -> notReady.add(node.getMetadata().getName() + " " + c.getReason()));
          }

          @Override
          public void onClose(WatcherException cause) {}
        };
    var lease = client.leases().inNamespace("kube-node-lease").withName("gpu-node-1");
    await().atMost(Duration.ofSeconds(20)).until(() -> lease.get() != null);
    var firstRenew = lease.get().getSpec().getRenewTime();
    try (Watch watch = client.nodes().watch(watcher)) {
      // The controller-manager's node-monitor grace period is 50 s: a minute and a bit without
      // a NotReady node shows the heartbeat outpaces it (before the fix: NotReady every ~55 s).
      TimeUnit.SECONDS.sleep(65);
    }
    assertThat(notReady).as("NotReady transitions of simulated nodes").isEmpty();
    assertThat(lease.get().getSpec().getRenewTime()).isAfter(firstRenew);
  }

  /** True while the process runs; a zombie (exited, not yet reaped by its new parent) is gone. */
  private static boolean alive(long pid) throws java.io.IOException {
    java.nio.file.Path stat = java.nio.file.Path.of("/proc", Long.toString(pid), "stat");
    if (!java.nio.file.Files.exists(stat)) return false;
    String s = java.nio.file.Files.readString(stat);
    return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
  }

  private static Job gpuJob(String name, int gpus) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("trainer")
        .withImage("distillery/trainer:test")
        .withNewResources()
        .withLimits(Map.of("nvidia.com/gpu", new Quantity(String.valueOf(gpus))))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static boolean succeeded(Job job) {
    return job != null
        && job.getStatus() != null
        && job.getStatus().getSucceeded() != null
        && job.getStatus().getSucceeded() == 1;
  }

  private static Optional<Pod> podOf(String job) {
    return client
        .pods()
        .inNamespace("default")
        .withLabel("job-name", job)
        .list()
        .getItems()
        .stream()
        .findFirst();
  }

  private static Optional<PodCondition> scheduled(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return Optional.empty();
    return pod.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("PodScheduled"))
        .findFirst();
  }
}
