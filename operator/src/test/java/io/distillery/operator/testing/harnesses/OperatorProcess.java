package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator (target/quarkus-app, prod profile: leader election on) as a separate
 * process, so tests can send it real signals. Its holder identity in the Lease starts with {@code
 * name} (passed as HOSTNAME, as a pod's name is); its log goes to target/operator-processes/.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

  private final String name;
  private final String identity;
  private final Process process;
  private final Path log;
  private final Path kubeconfig;

  private OperatorProcess(
      String name, String identity, Process process, Path log, Path kubeconfig) {
    this.name = name;
    this.identity = identity;
    this.process = process;
    this.log = log;
    this.kubeconfig = kubeconfig;
  }

  /**
   * Starts it against {@code kubeconfigYaml}, watching {@code namespace}; {@code env} adds or
   * overrides environment variables (e.g. the Lease's namespace).
   */
  public static OperatorProcess start(
      String name, String kubeconfigYaml, String namespace, Map<String, String> env) {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run after package");
    }
    try {
      Path dir = Files.createDirectories(Path.of("target", "operator-processes"));
      Path log = dir.resolve(name + ".log");
      Files.deleteIfExists(log);
      Path kubeconfig = Files.createTempFile("operator-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, kubeconfigYaml);
      String java = ProcessHandle.current().info().command().orElse("java");
      ProcessBuilder pb =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx256m",
                      "-XX:TieredStopAtLevel=1",
                      "-XX:+UseSerialGC",
                      "-jar",
                      JAR.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Map<String, String> environment = new HashMap<>();
      environment.put("KUBECONFIG", kubeconfig.toString());
      environment.put("HOSTNAME", name);
      environment.put("QUARKUS_HTTP_PORT", "0");
      environment.put("DISTILLERY_WATCH_NAMESPACES", namespace);
      environment.putAll(env);
      pb.environment().putAll(environment);
      String identity = environment.getOrDefault("DISTILLERY_LEADER_ELECTION_IDENTITY", name);
      return new OperatorProcess(name, identity, pb.start(), log, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  /**
   * Whether {@code holderIdentity} is this process's: its name (in a pod, or given as
   * DISTILLERY_LEADER_ELECTION_IDENTITY) or its name plus the random suffix added outside a pod.
   */
  public boolean holds(String holderIdentity) {
    return holderIdentity != null
        && (holderIdentity.equals(identity) || holderIdentity.startsWith(name + "-"));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM, as the kubelet sends on a rollout or a drain. */
  public void sigterm() {
    process.destroy();
  }

  /** SIGKILL: no shutdown code runs. */
  public void sigkill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** Waits up to {@code timeout} for the process to end; true if it did. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public int exitValue() {
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(10));
    }
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
