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
 * A whole local cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok, Kueue) started
 * with {@code hack/cluster up} in a private state directory and stopped with {@code hack/cluster
 * down}. The node agent that {@code up} starts for a newcomer is left out unless asked for ({@link
 * #startWithAgent}): most tests need only kwok, and RealMdtOnLocalClusterIT runs its own agent
 * in-process to read its pods.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path stateDir;
  private final KubernetesClient client;

  private LocalCluster(Path stateDir, KubernetesClient client) {
    this.stateDir = stateDir;
    this.client = client;
  }

  /** Starts a fresh cluster without the node agent; its state is a new temporary directory. */
  public static LocalCluster start() throws IOException, InterruptedException {
    return start(false);
  }

  /**
   * Starts a fresh cluster with the node agent on {@code mdt-node-1}, as a newcomer's {@code
   * hack/cluster up} does (it builds the jars first when they are missing or stale).
   */
  public static LocalCluster startWithAgent() throws IOException, InterruptedException {
    return start(true);
  }

  private static LocalCluster start(boolean agent) throws IOException, InterruptedException {
    Path state = Files.createTempDirectory("distillery-cluster");
    run(state, "up", agent ? 900 : 300, agent);
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

  /** Pids of the pod processes the node agent started (read before {@link #close}). */
  public List<Long> agentPodPids() throws IOException {
    Path agent = stateDir.resolve("agent");
    if (!Files.isDirectory(agent)) {
      return List.of();
    }
    try (var files = Files.walk(agent)) {
      return files
          .filter(f -> f.getFileName().toString().equals("pid") && Files.isRegularFile(f))
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
    run(stateDir, "down", 120, false);
  }

  private static void run(Path state, String verb, int timeoutSeconds, boolean agent)
      throws IOException, InterruptedException {
    Path script = ControlPlane.repo().resolve("hack/cluster");
    Path log = Files.createTempFile("cluster-" + verb, ".log");
    ProcessBuilder pb = new ProcessBuilder(script.toString(), verb).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("DISTILLERY_CLUSTER_DIR", state.toString());
    pb.environment().put("DISTILLERY_CLUSTER_AGENT", agent ? "on" : "off");
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
