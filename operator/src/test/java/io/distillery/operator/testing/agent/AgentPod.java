package io.distillery.operator.testing.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One pod on the agent's node, run as a kubelet would run it, minus namespaces: volumes become host
 * directories (ConfigMaps projected from the API, claims resolved to their bound hostPath volume,
 * emptyDirs made fresh), the container becomes a local {@code mdt} process bound to the pod's own
 * loopback address, the readiness probe is the real HTTP GET, and the exit code and the termination
 * message (or the log tail, under {@code FallbackToLogsOnError}) go into the pod's status.
 */
public final class AgentPod {
  private static final Duration VOLUME_WAIT = Duration.ofSeconds(120);
  private static final int MAX_MESSAGE_BYTES = 4096;
  private static final int FALLBACK_LOG_BYTES = 2048;

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String ip;
  private final Path dir;
  private final PodStatuses status;
  private final MdtLauncher launcher;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Pod pod;
  private volatile Process process;
  private volatile boolean stopping;
  private volatile ContainerPaths paths;
  private volatile List<String> command = List.of();
  private final List<Integer> exitCodes = new ArrayList<>();

  AgentPod(
      KubernetesClient client, Pod pod, String ip, String nodeIp, Path dir, MdtLauncher launcher) {
    this.client = client;
    this.pod = pod;
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.ip = ip;
    this.dir = dir;
    this.status = new PodStatuses(client, pod, ip, nodeIp);
    this.launcher = launcher;
  }

  public String name() {
    return namespace + "/" + name;
  }

  public Map<String, String> labels() {
    return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
  }

  /** Whether the container's process is alive now. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The host directory standing in for the pod's file system. */
  public Path dir() {
    return dir;
  }

  public ContainerPaths paths() {
    return paths;
  }

  public List<String> command() {
    return command;
  }

  public synchronized List<Integer> exitCodes() {
    return List.copyOf(exitCodes);
  }

  /** Prepares the volumes and runs the container until it ends for good; call on its own thread. */
  void run() {
    Container container = pod.getSpec().getContainers().get(0);
    try {
      if (pod.getSpec().getContainers().size() != 1
          || (container.getCommand() != null && !container.getCommand().isEmpty())) {
        throw new IllegalArgumentException(
            "the agent runs exactly one container using the image's entrypoint (mdt)");
      }
      paths = new ContainerPaths(mounts(container));
      command = launcher.command(paths.translate(container.getArgs()));
    } catch (RuntimeException | IOException e) {
      appendLog("agent: cannot run the container: " + e);
      status.cannotRun(String.valueOf(e.getMessage()));
      return;
    }
    int restarts = 0;
    while (!stopping) {
      int exit;
      Instant start = Instant.now();
      try {
        exit = runOnce(container, restarts, start);
      } catch (IOException e) {
        exit = 128;
        appendLog("agent: cannot start the container: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (this) {
        exitCodes.add(exit);
      }
      String message = terminationMessage(container, exit);
      String policy = pod.getSpec().getRestartPolicy();
      boolean restart =
          !stopping && ("Always".equals(policy) || ("OnFailure".equals(policy) && exit != 0));
      status.terminated(start, pid(), exit, message, restarts, restart);
      if (!restart) {
        return;
      }
      // A kubelet's crash-loop back-off, doubling from 1 s (a kubelet starts at 10 s) up to 30 s.
      sleep(Duration.ofSeconds(Math.min(30, 1L << Math.min(restarts, 5))));
      restarts++;
    }
  }

  private Duration preStopSleep() {
    var lifecycle = pod.getSpec().getContainers().get(0).getLifecycle();
    if (lifecycle == null
        || lifecycle.getPreStop() == null
        || lifecycle.getPreStop().getSleep() == null) {
      return Duration.ZERO;
    }
    return Duration.ofSeconds(lifecycle.getPreStop().getSleep().getSeconds());
  }

  private long pid() {
    Process p = process;
    return p == null ? 0 : p.pid();
  }

  /**
   * Stops the container as a kubelet does: the pre-stop sleep (a {@code sleep} preStop hook), then
   * SIGTERM, then SIGKILL once the grace period is spent.
   */
  void stop(Duration grace) {
    stopping = true;
    Process p = process;
    if (p == null) {
      return;
    }
    long deadline = System.nanoTime() + grace.toNanos();
    Duration preStop = preStopSleep().compareTo(grace) < 0 ? preStopSleep() : grace;
    if (!preStop.isZero() && p.isAlive()) {
      sleep(preStop);
    }
    p.destroy();
    try {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int runOnce(Container container, int restarts, Instant start)
      throws IOException, InterruptedException {
    Files.deleteIfExists(terminationLog());
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(rootfs.toFile());
    pb.environment().putAll(environment(container));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    process = pb.start();
    status.running(start, process.pid(), restarts, false);
    Thread readiness =
        new Thread(() -> probeReadiness(container, start, restarts), "probe-" + name);
    readiness.setDaemon(true);
    readiness.start();
    int exit = process.waitFor();
    readiness.interrupt();
    return exit;
  }

  /** The readiness probe's HTTP GET against the pod's address; without one, ready on start. */
  private void probeReadiness(Container container, Instant start, int restarts) {
    Probe probe = container.getReadinessProbe();
    Process p = process;
    if (probe == null || probe.getHttpGet() == null) {
      status.running(start, p.pid(), restarts, true);
      return;
    }
    URI uri =
        URI.create("http://" + ip + ":" + port(container, probe) + probe.getHttpGet().getPath());
    int threshold = probe.getFailureThreshold() == null ? 3 : probe.getFailureThreshold();
    Duration period =
        Duration.ofSeconds(probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds());
    boolean ready = false;
    int failures = 0;
    while (p.isAlive() && !Thread.currentThread().isInterrupted()) {
      boolean ok = get(uri);
      failures = ok ? 0 : failures + 1;
      boolean nowReady = ok || (ready && failures < threshold);
      if (nowReady != ready) {
        ready = nowReady;
        status.running(start, p.pid(), restarts, ready);
      }
      // Poll every second until first ready (a kubelet starts probing at once too), then as asked.
      if (!sleep(ready ? period : Duration.ofSeconds(1))) {
        return;
      }
    }
  }

  private boolean get(URI uri) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() >= 200 && r.statusCode() < 400;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int port(Container container, Probe probe) {
    var port = probe.getHttpGet().getPort();
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream()
        .filter(cp -> port.getStrVal().equals(cp.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no port named " + port.getStrVal()));
  }

  /** Container path to host directory, for every mount and the termination-message file. */
  private Map<String, Path> mounts(Container container) throws IOException {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    pod.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), v));
    Map<String, Path> byVolume = new LinkedHashMap<>();
    for (Volume v : volumes.values()) {
      byVolume.put(v.getName(), volumeDir(v));
    }
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount m : container.getVolumeMounts()) {
      Path host = byVolume.get(m.getName());
      if (host == null) {
        throw new IllegalArgumentException("volumeMount " + m.getName() + " names no volume");
      }
      mounts.put(m.getMountPath(), m.getSubPath() == null ? host : host.resolve(m.getSubPath()));
    }
    mounts.put(terminationMessagePath(container), terminationLog());
    // Projected files see the container's paths too: the config names the output mount.
    for (Volume v : volumes.values()) {
      if (v.getConfigMap() != null) {
        project(v, byVolume.get(v.getName()), new ContainerPaths(mounts));
      }
    }
    return mounts;
  }

  private Path volumeDir(Volume v) throws IOException {
    Path d = dir.resolve("volumes").resolve(v.getName());
    if (v.getConfigMap() != null || v.getEmptyDir() != null) {
      return Files.createDirectories(d);
    }
    if (v.getPersistentVolumeClaim() != null) {
      return claimDir(v.getPersistentVolumeClaim().getClaimName());
    }
    throw new IllegalArgumentException(
        "volume " + v.getName() + ": the agent supports configMap, emptyDir and claims only");
  }

  /**
   * The hostPath of the volume the claim is bound to, waiting for the binding as a kubelet does.
   */
  private Path claimDir(String claim) throws IOException {
    Instant deadline = Instant.now().plus(VOLUME_WAIT);
    while (Instant.now().isBefore(deadline)) {
      PersistentVolumeClaim pvc =
          client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
      String volume = pvc == null ? null : pvc.getSpec().getVolumeName();
      if (volume != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase())) {
        PersistentVolume pv = client.persistentVolumes().withName(volume).get();
        if (pv.getSpec().getHostPath() == null) {
          throw new IllegalArgumentException(
              "claim " + claim + " is bound to " + volume + ", which is not a hostPath volume");
        }
        return Files.createDirectories(Path.of(pv.getSpec().getHostPath().getPath()));
      }
      if (!sleep(Duration.ofMillis(500))) {
        break;
      }
    }
    throw new IllegalStateException("claim " + claim + " not bound within " + VOLUME_WAIT);
  }

  /** Writes each key of the ConfigMap as a file, with container paths mapped to the host. */
  private void project(Volume v, Path target, ContainerPaths view) throws IOException {
    String cmName = v.getConfigMap().getName();
    Instant deadline = Instant.now().plus(VOLUME_WAIT);
    ConfigMap cm;
    while ((cm = client.configMaps().inNamespace(namespace).withName(cmName).get()) == null) {
      if (Instant.now().isAfter(deadline) || !sleep(Duration.ofMillis(500))) {
        throw new IllegalStateException("ConfigMap " + cmName + " not found within " + VOLUME_WAIT);
      }
    }
    if (cm.getData() != null) {
      for (var e : cm.getData().entrySet()) {
        Files.writeString(target.resolve(e.getKey()), view.translate(e.getValue()));
      }
    }
  }

  private Map<String, String> environment(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    if (container.getEnv() != null) {
      for (EnvVar e : container.getEnv()) {
        if (e.getValueFrom() != null) {
          throw new IllegalArgumentException("env " + e.getName() + ": valueFrom is not supported");
        }
        env.put(e.getName(), paths.translate(e.getValue() == null ? "" : e.getValue()));
      }
    }
    // The pod's own address stands in for its network namespace.
    env.put("MDT_BIND_ADDRESS", ip);
    return env;
  }

  /** The container's termination message, in the container's paths, as a kubelet reports it. */
  private String terminationMessage(Container container, int exit) {
    String message = "";
    try {
      Path file = terminationLog();
      if (Files.isRegularFile(file)) {
        message = paths.toContainerView(tail(file, MAX_MESSAGE_BYTES));
      }
      if (message.isBlank()
          && exit != 0
          && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
        message = paths.toContainerView(tail(log(), FALLBACK_LOG_BYTES));
      }
    } catch (IOException e) {
      message = "agent: cannot read the termination message: " + e.getMessage();
    }
    return message;
  }

  private static String tail(Path file, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long from = Math.max(0, f.length() - bytes);
      byte[] b = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static String terminationMessagePath(Container container) {
    return container.getTerminationMessagePath() == null
        ? "/dev/termination-log"
        : container.getTerminationMessagePath();
  }

  private Path terminationLog() {
    return dir.resolve("termination-log");
  }

  /** The container's stdout and stderr, across restarts. */
  public Path log() {
    return dir.resolve("container.log");
  }

  private void appendLog(String line) {
    try {
      Files.writeString(
          log(),
          line + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // The status still carries the exit code.
    }
  }

  private static boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
