package io.distillery.operator.testing.harnesses;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A whole local cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok) started with
 * {@code hack/cluster up} in a private state directory and stopped with {@code hack/cluster down}.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path stateDir;
  private final KubernetesClient client;

  private LocalCluster(Path stateDir, KubernetesClient client) {
    this.stateDir = stateDir;
    this.client = client;
  }

  /** Starts a fresh cluster; its state lives in a new temporary directory. */
  public static LocalCluster start() throws IOException, InterruptedException {
    Path state = Files.createTempDirectory("distillery-cluster");
    run(state, "up", 300);
    Path kubeconfig = state.resolve("kubeconfig");
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();
    return new LocalCluster(state, client);
  }

  public KubernetesClient client() {
    return client;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** Pids of the processes {@code up} started. */
  public List<Long> pids() throws IOException {
    try (var files = Files.list(stateDir.resolve("pids"))) {
      return files
          .map(
              f -> {
                try {
                  return Long.parseLong(Files.readString(f).trim());
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              })
          .toList();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    client.close();
    run(stateDir, "down", 60);
  }

  private static void run(Path state, String verb, int timeoutSeconds)
      throws IOException, InterruptedException {
    Path script = ControlPlane.repo().resolve("hack/cluster");
    Path log = Files.createTempFile("cluster-" + verb, ".log");
    ProcessBuilder pb = new ProcessBuilder(script.toString(), verb).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("DISTILLERY_CLUSTER_DIR", state.toString());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "hack/cluster " + verb + " timed out; log:\n" + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "hack/cluster "
              + verb
              + " failed (exit "
              + p.exitValue()
              + "); log:\n"
              + Files.readString(log));
    }
  }
}
