package io.distillery.agent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
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
import java.util.stream.Stream;

/**
 * One pod on the agent's node, run as a kubelet would run it, minus namespaces: volumes become host
 * directories (ConfigMaps projected from the API, claims resolved to their bound hostPath volume,
 * emptyDirs made fresh, projected service-account tokens requested for the pod), the container
 * becomes a local process of its image's entrypoint ({@link Entrypoints}) bound to the pod's own
 * loopback address, the readiness probe is the real HTTP GET, and the exit code and the termination
 * message (or the log tail, under {@code FallbackToLogsOnError}) go into the pod's status. Init
 * containers run first, one after the other, each to completion; env vars from Secret keys are read
 * through the API when a container is created ({@link SecretEnv}).
 */
public final class AgentPod {
  private static final Duration VOLUME_WAIT = Duration.ofSeconds(120);
  private static final int MAX_MESSAGE_BYTES = 4096;
  private static final int FALLBACK_LOG_BYTES = 2048;
  private static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String ip;
  private final Path dir;
  private final PodStatuses status;
  private final Entrypoints entrypoints;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Pod pod;
  private volatile Process process;
  private volatile boolean stopping;
  private volatile ContainerPaths paths;
  private volatile List<String> command = List.of();
  private volatile Map<String, String> environment = Map.of();
  private final List<Integer> exitCodes = new ArrayList<>();

  AgentPod(
      KubernetesClient client,
      Pod pod,
      String ip,
      String nodeIp,
      Path dir,
      Entrypoints entrypoints) {
    this.client = client;
    this.pod = pod;
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.ip = ip;
    this.dir = dir;
    this.status = new PodStatuses(client, pod, ip, nodeIp);
    this.entrypoints = entrypoints;
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
    try {
      runContainer();
    } catch (RuntimeException e) {
      // An executor thread's exception goes nowhere: put it where a failing test shows logs.
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      appendLog("agent: running the pod failed: " + trace);
      throw e;
    }
  }

  private void runContainer() {
    Container container = pod.getSpec().getContainers().get(0);
    List<Container> inits =
        pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    try {
      if (pod.getSpec().getContainers().size() != 1
          || Stream.concat(inits.stream(), Stream.of(container))
              .anyMatch(c -> c.getCommand() != null && !c.getCommand().isEmpty())) {
        throw new IllegalArgumentException(
            "the agent runs exactly one container (after its init containers), each using its"
                + " image's entrypoint");
      }
      paths = new ContainerPaths(mounts(container));
    } catch (RuntimeException | IOException e) {
      appendLog("agent: cannot run the container: " + e);
      status.cannotRun(String.valueOf(e.getMessage()));
      return;
    }
    for (int i = 0; i < inits.size(); i++) {
      if (!runInit(i, inits.get(i))) {
        return;
      }
    }
    try {
      Map<String, String> env = createEnvironment(container, paths, -1);
      if (env == null) {
        return;
      }
      Entrypoints.Launch launch =
          entrypoints.launch(container.getImage(), paths.translate(container.getArgs()), env, ip);
      env.putAll(launch.environment());
      environment = env;
      command = launch.command();
    } catch (RuntimeException e) {
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

  /**
   * Runs init container {@code index} to completion, as a kubelet does before the main container:
   * true once it exited 0. A failure is retried after a back-off unless restartPolicy is Never
   * (then the pod fails); its exit code and termination message stay in the pod's
   * initContainerStatuses (lastState while the retry waits), so the pod stays unready and says why.
   */
  private boolean runInit(int index, Container init) {
    int restarts = 0;
    while (!stopping) {
      ContainerPaths view;
      List<String> cmd;
      Map<String, String> env;
      try {
        view = new ContainerPaths(mounts(init));
        env = createEnvironment(init, view, index);
        if (env == null) {
          return false;
        }
        Entrypoints.Launch launch =
            entrypoints.launch(init.getImage(), view.translate(init.getArgs()), env, ip);
        env.putAll(launch.environment());
        cmd = launch.command();
      } catch (RuntimeException | IOException e) {
        appendLog("agent: cannot run init container " + init.getName() + ": " + e);
        status.cannotRun(String.valueOf(e.getMessage()));
        return false;
      }
      Instant start = Instant.now();
      int exit;
      try {
        Files.deleteIfExists(terminationLog(init));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(rootfs.toFile());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        process = pb.start();
        Files.writeString(dir.resolve("pid"), Long.toString(process.pid()));
        status.initRunning(index, start, process.pid(), restarts);
        exit = process.waitFor();
      } catch (IOException e) {
        exit = 128;
        appendLog("agent: cannot start init container " + init.getName() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      String message = terminationMessage(init, view, exit);
      boolean retry = exit != 0 && !stopping && !"Never".equals(pod.getSpec().getRestartPolicy());
      status.initTerminated(index, start, pid(), exit, message, restarts, retry);
      if (exit == 0) {
        return true;
      }
      if (!retry) {
        return false;
      }
      // The kubelet's back-off for a failing init container, as for a crashing container.
      sleep(Duration.ofSeconds(Math.min(30, 1L << Math.min(restarts, 5))));
      restarts++;
    }
    return false;
  }

  /**
   * The container's env as the kubelet creates it; while a Secret or key it names is missing, the
   * container waits with CreateContainerConfigError (checked again every 2 s, as a kubelet's
   * retries would) until it appears or the pod is stopped (then null). {@code initIndex} is -1 for
   * the main container.
   */
  private Map<String, String> createEnvironment(
      Container container, ContainerPaths view, int initIndex) {
    String reported = null;
    while (!stopping) {
      try {
        Map<String, String> secrets =
            SecretEnv.resolve(container.getEnv(), namespace, this::secretData);
        return environment(container, view, secrets);
      } catch (SecretEnv.ConfigError e) {
        // Written once per message: rewriting the same status every retry would only churn.
        if (e.getMessage().equals(reported)) {
          if (!sleep(Duration.ofSeconds(2))) {
            return null;
          }
          continue;
        }
        reported = e.getMessage();
        if (initIndex >= 0) {
          status.initWaiting(initIndex, "CreateContainerConfigError", e.getMessage());
        } else {
          status.cannotCreate("CreateContainerConfigError", e.getMessage());
        }
        if (!sleep(Duration.ofSeconds(2))) {
          return null;
        }
      }
    }
    return null;
  }

  /** A Secret's data (base64 values), null when it does not exist. */
  private Map<String, String> secretData(String secret) {
    var s = client.secrets().inNamespace(namespace).withName(secret).get();
    return s == null ? null : s.getData() == null ? Map.of() : s.getData();
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
    Files.deleteIfExists(terminationLog(container));
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    ProcessBuilder pb = new ProcessBuilder(command).directory(rootfs.toFile());
    pb.environment().putAll(environment);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    process = pb.start();
    // hack/cluster down kills by this pid whatever the agent could not stop itself.
    Files.writeString(dir.resolve("pid"), Long.toString(process.pid()));
    status.running(start, process.pid(), restarts, false);
    Thread readiness =
        new Thread(() -> probeReadiness(container, start, restarts), "probe-" + name);
    readiness.setDaemon(true);
    readiness.start();
    int exit = process.waitFor();
    readiness.interrupt();
    readiness.join(Duration.ofSeconds(5).toMillis());
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
    mounts.put(terminationMessagePath(container), terminationLog(container));
    // Projected files see the container's paths too: the config names the output mount.
    for (Volume v : volumes.values()) {
      Path target = byVolume.get(v.getName());
      if (v.getConfigMap() != null) {
        writeConfigMap(v.getConfigMap().getName(), null, target, new ContainerPaths(mounts));
      } else if (v.getProjected() != null) {
        project(v.getProjected(), target, new ContainerPaths(mounts));
      }
    }
    return mounts;
  }

  private Path volumeDir(Volume v) throws IOException {
    Path d = dir.resolve("volumes").resolve(v.getName());
    if (v.getConfigMap() != null || v.getEmptyDir() != null || v.getProjected() != null) {
      return Files.createDirectories(d);
    }
    if (v.getPersistentVolumeClaim() != null) {
      return claimDir(v.getPersistentVolumeClaim().getClaimName());
    }
    throw new IllegalArgumentException(
        "volume "
            + v.getName()
            + ": the agent supports configMap, emptyDir, projected and claim volumes only");
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

  /**
   * Writes the ConfigMap's keys as files ({@code items} key to path, or every key when null), with
   * container paths mapped to the host, waiting for the ConfigMap as a kubelet does.
   */
  private void writeConfigMap(
      String cmName, List<KeyToPath> items, Path target, ContainerPaths view) throws IOException {
    Instant deadline = Instant.now().plus(VOLUME_WAIT);
    ConfigMap cm;
    while ((cm = client.configMaps().inNamespace(namespace).withName(cmName).get()) == null) {
      if (Instant.now().isAfter(deadline) || !sleep(Duration.ofMillis(500))) {
        throw new IllegalStateException("ConfigMap " + cmName + " not found within " + VOLUME_WAIT);
      }
    }
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    Map<String, String> files = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      data.keySet().forEach(k -> files.put(k, k));
    } else {
      items.forEach(i -> files.put(i.getKey(), i.getPath()));
    }
    for (var f : files.entrySet()) {
      String value = data.get(f.getKey());
      if (value == null) {
        throw new IllegalArgumentException("ConfigMap " + cmName + " has no key " + f.getKey());
      }
      Files.writeString(target.resolve(f.getValue()), view.translate(value));
    }
  }

  /**
   * A projected volume as the ServiceAccount admission plugin injects it: a token from the
   * TokenRequest API bound to this pod, ConfigMap keys (the cluster's CA) and the pod's own fields.
   */
  private void project(ProjectedVolumeSource projected, Path target, ContainerPaths view)
      throws IOException {
    for (VolumeProjection source : projected.getSources()) {
      if (source.getServiceAccountToken() != null) {
        var token = source.getServiceAccountToken();
        Files.writeString(target.resolve(token.getPath()), serviceAccountToken(token));
      } else if (source.getConfigMap() != null) {
        writeConfigMap(
            source.getConfigMap().getName(), source.getConfigMap().getItems(), target, view);
      } else if (source.getDownwardAPI() != null) {
        for (var item : source.getDownwardAPI().getItems()) {
          Files.writeString(
              target.resolve(item.getPath()), field(item.getFieldRef().getFieldPath()));
        }
      } else {
        throw new IllegalArgumentException(
            "projected volume: the agent projects service-account tokens, ConfigMaps and the"
                + " downward API only");
      }
    }
  }

  private String serviceAccountToken(ServiceAccountTokenProjection projection) {
    String account =
        pod.getSpec().getServiceAccountName() == null
            ? "default"
            : pod.getSpec().getServiceAccountName();
    var spec =
        new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(projection.getExpirationSeconds())
            .withAudiences(
                projection.getAudience() == null ? List.of() : List.of(projection.getAudience()))
            .withNewBoundObjectRef()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName(name)
            .withUid(pod.getMetadata().getUid())
            .endBoundObjectRef()
            .endSpec()
            .build();
    return client
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(account)
        .tokenRequest(spec)
        .getStatus()
        .getToken();
  }

  /** A downward-API field of this pod. */
  private String field(String path) {
    return switch (path) {
      case "metadata.name" -> name;
      case "metadata.namespace" -> namespace;
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP" -> ip;
      default -> throw new IllegalArgumentException("fieldRef " + path + " is not supported");
    };
  }

  /**
   * The container's variables (fieldRefs resolved, mounted paths mapped) plus what a kubelet adds
   * for in-cluster clients. There is no kube-proxy, so the service variables name the API server's
   * own address; there is no mount namespace, so Fabric8 clients are told where the mounted
   * service-account files are, and not to read the host's kubeconfig.
   */
  private Map<String, String> environment(
      Container container, ContainerPaths view, Map<String, String> secrets) {
    Map<String, String> env = new LinkedHashMap<>();
    if (container.getEnv() != null) {
      for (EnvVar e : container.getEnv()) {
        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
          // Resolved by SecretEnv; an optional key that is absent is left out.
          if (secrets.containsKey(e.getName())) {
            env.put(e.getName(), secrets.get(e.getName()));
          }
        } else if (e.getValueFrom() != null) {
          if (e.getValueFrom().getFieldRef() == null) {
            throw new IllegalArgumentException(
                "env "
                    + e.getName()
                    + ": only valueFrom.fieldRef and valueFrom.secretKeyRef are supported");
          }
          env.put(e.getName(), field(e.getValueFrom().getFieldRef().getFieldPath()));
        } else {
          env.put(e.getName(), view.translate(e.getValue() == null ? "" : e.getValue()));
        }
      }
    }
    URI api = URI.create(client.getMasterUrl().toString());
    env.put("KUBERNETES_SERVICE_HOST", api.getHost());
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(api.getPort()));
    String account = view.hostPath(SERVICE_ACCOUNT_DIR);
    if (!account.equals(SERVICE_ACCOUNT_DIR)) {
      env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", account + "/token");
      env.put("KUBERNETES_CERTS_CA_FILE", account + "/ca.crt");
      env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    }
    return env;
  }

  /** The container's termination message, in the container's paths, as a kubelet reports it. */
  private String terminationMessage(Container container, int exit) {
    return terminationMessage(container, paths, exit);
  }

  private String terminationMessage(Container container, ContainerPaths view, int exit) {
    String message = "";
    try {
      Path file = terminationLog(container);
      if (Files.isRegularFile(file)) {
        message = view.toContainerView(tail(file, MAX_MESSAGE_BYTES));
      }
      if (message.isBlank()
          && exit != 0
          && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
        message = view.toContainerView(tail(log(), FALLBACK_LOG_BYTES));
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

  /** The main container's file keeps its old name; each init container has its own. */
  private Path terminationLog(Container container) {
    boolean main = container == pod.getSpec().getContainers().get(0);
    return dir.resolve(main ? "termination-log" : "termination-log-" + container.getName());
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
