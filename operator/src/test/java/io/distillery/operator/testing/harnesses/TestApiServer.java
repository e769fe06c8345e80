package io.distillery.operator.testing.harnesses;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real etcd + kube-apiserver for one test class (Fabric8 kube-api-test), with the CRDs from crds/
 * applied. The binaries come from hack/build-control-plane.sh; when they are missing the test fails
 * saying so, it never downloads or falls back to a mock.
 */
public final class TestApiServer implements AutoCloseable {
  private static final Path REPO = ControlPlane.repo();
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final KubeAPIServer server;
  private final KubernetesClient client;
  private final List<Process> restarted = new ArrayList<>();
  private List<List<String>> commands = List.of();
  private List<List<String>> stoppedCommands = List.of();

  private TestApiServer(KubeAPIServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static TestApiServer start() {
    return start(List.of());
  }

  /**
   * With extra kube-apiserver flags ({@code --name=value}), e.g. a low {@code
   * --max-requests-inflight} with priority and fairness off, so the server really answers 429 Too
   * Many Requests (to any identity but system:masters, which it never throttles).
   */
  public static TestApiServer start(List<String> apiServerFlags) {
    String version = ControlPlane.kubeVersion().substring(1);
    ControlPlane.requireApiServerBinaries();
    var config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withApiServerVersion(version)
            .withOfflineMode(true)
            .withUpdateKubeConfig(false)
            .withApiServerFlag("--advertise-address", "127.0.0.1");
    apiServerFlags.forEach(config::withApiServerFlag);
    KubeAPIServer server = new KubeAPIServer(config.build());
    server.start();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
    TestApiServer api = new TestApiServer(server, client);
    api.applyCrds();
    return api;
  }

  public String kubeConfigYaml() {
    return server.getKubeConfigYaml();
  }

  /** The kubectl binary of the same Kubernetes version. */
  public Path kubectl() {
    return ControlPlane.kubeApiTestDir().resolve("kubectl");
  }

  /** Runs the real kubectl against this server; returns stdout and stderr together. */
  public String runKubectl(String... args) throws IOException, InterruptedException {
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    try {
      Files.writeString(kubeconfig, kubeConfigYaml());
      List<String> command =
          new ArrayList<>(List.of(kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } finally {
      Files.deleteIfExists(kubeconfig);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** A fresh namespace per test case, so cases do not see each other's objects. */
  public String newNamespace(String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private void applyCrds() {
    try (var files = Files.list(REPO.resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        CustomResourceDefinition crd =
            client.getKubernetesSerialization().unmarshal(Files.readString(file));
        client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c.getStatus() != null
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                k ->
                                    "Established".equals(k.getType())
                                        && "True".equals(k.getStatus())),
                30,
                TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills the kube-apiserver and etcd (SIGKILL, as a crash or a node loss would), keeping etcd's
   * data directory; {@link #restartControlPlane()} brings both back on the same ports.
   */
  public void stopControlPlane() {
    if (!restarted.isEmpty()) {
      // Already restarted once: the running ones are this harness's own processes.
      for (Process p : restarted) {
        p.destroyForcibly();
        waitQuietly(p);
      }
      restarted.clear();
      stoppedCommands = commands;
      return;
    }
    Object etcd = field(server, "etcdProcess");
    Object apiServer = field(server, "kubeApiServerProcess");
    commands =
        List.of(
            commandLine(running(etcd, "etcdProcess")),
            commandLine(running(apiServer, "apiServerProcess")));
    // The library's own stop sets its "stopped" flag, so it does not take the exit for a crash
    // and wipe etcd's data; it leaves the data directory in place.
    invoke(apiServer, "stopApiServer");
    invoke(etcd, "stopEtcd");
    stoppedCommands = commands;
  }

  private static void waitQuietly(Process p) {
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts etcd and the kube-apiserver again with their earlier command lines and waits. */
  public void restartControlPlane() {
    if (stoppedCommands.isEmpty()) {
      throw new IllegalStateException("stopControlPlane first");
    }
    try {
      for (List<String> command : stoppedCommands) {
        restarted.add(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stoppedCommands = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      try {
        if ("ok".equals(client.raw("/readyz"))) {
          return;
        }
      } catch (RuntimeException notYet) {
        // connection refused until it listens
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the restarted kube-apiserver is not ready after 90 s");
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static Process running(Object owner, String name) {
    Process p = (Process) field(owner, name);
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    return p;
  }

  private static List<String> commandLine(Process p) {
    ProcessHandle.Info info = p.info();
    List<String> command = new ArrayList<>();
    command.add(info.command().orElseThrow());
    command.addAll(List.of(info.arguments().orElseThrow()));
    return command;
  }

  private static Object field(Object owner, String name) {
    try {
      var f = owner.getClass().getDeclaredField(name);
      f.setAccessible(true);
      return f.get(owner);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no field " + name, e);
    }
  }

  private static void invoke(Object owner, String method) {
    try {
      var m = owner.getClass().getDeclaredMethod(method);
      m.setAccessible(true);
      m.invoke(owner);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("kube-api-test changed: no method " + method, e);
    }
  }

  @Override
  public void close() {
    client.close();
    for (Process p : restarted) {
      p.destroyForcibly();
      waitQuietly(p);
    }
    server.stop();
  }
}
