package io.distillery.operator.e2e;

import io.distillery.operator.common.Labels;
import io.distillery.operator.testing.harnesses.PrometheusServer;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a PodMonitor would do on the local cluster: every second, the running pods of a node become
 * Prometheus targets by their role (the operator at {@code /q/metrics}, trainers on their {@code
 * progress} port, serving pods on {@code http}, both at {@code /metrics}); and the last text each
 * endpoint served is kept per role, for {@code promtool check metrics} after the pod is gone.
 */
final class ScrapedPods implements AutoCloseable {
  private final KubernetesClient client;
  private final String node;
  private final PrometheusServer prometheus;
  private final Path snapshots;
  private final Map<String, String> roleOfTarget = new ConcurrentHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  ScrapedPods(KubernetesClient client, String node, PrometheusServer prometheus, Path snapshots)
      throws IOException {
    this.client = client;
    this.node = node;
    this.prometheus = prometheus;
    this.snapshots = Files.createDirectories(snapshots);
    loop.scheduleWithFixedDelay(this::sync, 0, 1, TimeUnit.SECONDS);
  }

  /** The last metrics text served by a pod of {@code role} (operator, trainer, serving). */
  Optional<Path> snapshot(String role) {
    Path file = snapshots.resolve(role + ".txt");
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /** The role of a target this registered (operator, trainer or serving). */
  String role(String target) {
    return roleOfTarget.getOrDefault(target, "unknown");
  }

  /** Whether the pod behind {@code target} (namespace/name) is still running. */
  boolean running(String target) {
    String[] nsName = target.split("/", 2);
    Pod pod = client.pods().inNamespace(nsName[0]).withName(nsName[1]).get();
    return pod != null
        && pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase());
  }

  private void sync() {
    try {
      for (Pod pod :
          client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems()) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null || pod.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        String role = pod.getMetadata().getLabels().getOrDefault(Labels.COMPONENT, "");
        Optional<String> port =
            switch (role) {
              case "operator" -> firstPort(pod, null);
              case "trainer" -> firstPort(pod, "progress");
              case "serving" -> firstPort(pod, "http");
              default -> Optional.empty();
            };
        if (port.isEmpty()) {
          continue;
        }
        String path = "operator".equals(role) ? "/q/metrics" : "/metrics";
        String target = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        String hostPort = ip + ":" + port.get();
        if (roleOfTarget.putIfAbsent(target, role) == null) {
          prometheus.scrape(
              target,
              hostPort,
              path,
              Map.of(
                  "namespace",
                  pod.getMetadata().getNamespace(),
                  "pod",
                  pod.getMetadata().getName()));
        }
        keepSnapshot(role, URI.create("http://" + hostPort + path));
      }
    } catch (Exception e) {
      // A pod that went away between list and scrape; the next round sees the new state.
    }
  }

  private void keepSnapshot(String role, URI uri) {
    try {
      HttpResponse<String> r =
          http.send(
              // No Accept header: what a plain client gets must be the text format promtool reads.
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        Path tmp = snapshots.resolve(role + ".txt.tmp");
        Files.writeString(tmp, r.body());
        Files.move(
            tmp, snapshots.resolve(role + ".txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      // not answering (yet, or any more)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Optional<String> firstPort(Pod pod, String name) {
    return pod.getSpec().getContainers().stream()
        .flatMap(c -> c.getPorts().stream())
        .filter(p -> name == null || name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .map(String::valueOf)
        .findFirst();
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
