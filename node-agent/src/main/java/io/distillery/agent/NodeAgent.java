package io.distillery.agent;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the kubelet of one dedicated node of the local cluster, so Distillery's trainer and serving
 * pods run the real {@code mdt} instead of kwok's simulation: it registers the node (labelled and
 * tainted, so only pods that ask for it land there), keeps its lease and Ready condition fresh,
 * runs each pod the scheduler binds to it as an {@link AgentPod}, and on deletion stops the process
 * and removes the pod, as a kubelet does.
 *
 * <p>It runs Distillery's own images (the trainer's {@code mdt} and the operator, see {@link
 * Entrypoints}); a pod of any other image fails with a status message saying so. Pods get addresses
 * in 127.81.0.0/24 (loopback, like kwok's 127.80.0.0/16), which their processes bind.
 */
public final class NodeAgent implements AutoCloseable {
  public static final String LABEL = "distillery.io/node-agent";
  public static final String VALUE = "mdt";
  private static final String NODE_IP = "127.81.0.1";
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final String node;
  private final Path workDir;
  private final Entrypoints entrypoints;
  private final NodeCapacity capacity;
  private final Map<String, AgentPod> pods = new ConcurrentHashMap<>();
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextIp = new AtomicInteger(2);
  private final ExecutorService runners = Executors.newCachedThreadPool(daemon("agent-pod"));
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(daemon("agent-heartbeat"));
  private SharedIndexInformer<Pod> informer;

  private NodeAgent(
      KubernetesClient client,
      String node,
      Path workDir,
      Entrypoints entrypoints,
      NodeCapacity capacity) {
    this.client = client;
    this.node = node;
    this.workDir = workDir;
    this.entrypoints = entrypoints;
    this.capacity = capacity;
  }

  /** Registers {@code node} with the default capacity, Ready, and runs the pods bound to it. */
  public static NodeAgent start(
      KubernetesClient client, String node, Path workDir, Entrypoints entrypoints)
      throws IOException {
    return start(client, node, workDir, entrypoints, NodeCapacity.DEFAULT);
  }

  /** Registers {@code node} with {@code capacity}, Ready, and runs the pods bound to it. */
  public static NodeAgent start(
      KubernetesClient client,
      String node,
      Path workDir,
      Entrypoints entrypoints,
      NodeCapacity capacity)
      throws IOException {
    Files.createDirectories(workDir);
    NodeAgent agent = new NodeAgent(client, node, workDir, entrypoints, capacity);
    agent.register();
    agent.heartbeat.scheduleAtFixedRate(
        agent::beat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    agent.informer =
        client
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", node)
            .inform(agent.handler(), 30_000);
    return agent;
  }

  public String node() {
    return node;
  }

  /** The pods this agent has run, by namespace/name. */
  public Map<String, AgentPod> pods() {
    return Map.copyOf(pods);
  }

  private void register() {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(node)
                .addToLabels(LABEL, VALUE)
                .addToLabels("kubernetes.io/hostname", node)
                .addToLabels("kubernetes.io/os", "linux")
                .addToLabels("kubernetes.io/arch", "amd64")
                .endMetadata()
                .withNewSpec()
                .addNewTaint()
                .withKey(LABEL)
                .withValue(VALUE)
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .build())
        .create();
    updateNodeStatus();
  }

  /** Renews the node lease and the Ready condition, as the node lifecycle controller expects. */
  private void beat() {
    try {
      Lease lease =
          new LeaseBuilder()
              .withNewMetadata()
              .withName(node)
              .withNamespace("kube-node-lease")
              .endMetadata()
              .withNewSpec()
              .withHolderIdentity(node)
              .withLeaseDurationSeconds(40)
              .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS))
              .endSpec()
              .build();
      client.resource(lease).forceConflicts().serverSideApply();
      updateNodeStatus();
    } catch (KubernetesClientException e) {
      // The next beat tries again; a cluster going down ends the test anyway.
    }
  }

  private void updateNodeStatus() {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Map<String, Quantity> resources = capacity.asResources();
    NodeCondition ready =
        new NodeConditionBuilder()
            .withType("Ready")
            .withStatus("True")
            .withReason("AgentReady")
            .withMessage("the Distillery local node agent runs this node's pods")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .build();
    OnConflict.retry(
        () ->
            client
                .nodes()
                .withName(node)
                .editStatus(
                    n -> {
                      var status = n.getStatus();
                      status.setCapacity(resources);
                      status.setAllocatable(resources);
                      status.setConditions(List.of(ready));
                      status.setAddresses(
                          List.of(
                              new io.fabric8.kubernetes.api.model.NodeAddress(
                                  NODE_IP, "InternalIP")));
                      return n;
                    }));
  }

  private ResourceEventHandler<Pod> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        reconcile(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        reconcile(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {
        AgentPod run = pods.get(key(pod));
        if (run != null) {
          runners.submit(() -> run.stop(Duration.ZERO));
        }
      }
    };
  }

  private void reconcile(Pod pod) {
    String key = key(pod);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (terminating.add(key)) {
        runners.submit(() -> terminate(pod));
      }
      return;
    }
    if (pods.containsKey(key) || isFinished(pod)) {
      return;
    }
    int host = nextIp.getAndIncrement();
    if (host > 254) {
      throw new IllegalStateException("the agent ran out of pod addresses in 127.81.0.0/24");
    }
    String ip = "127.81.0." + host;
    Path dir =
        workDir.resolve(pod.getMetadata().getNamespace()).resolve(pod.getMetadata().getName());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    AgentPod run = new AgentPod(client, pod, ip, NODE_IP, dir, entrypoints);
    pods.put(key, run);
    runners.submit(run::run);
  }

  /** A deleted pod: stop its process within the grace period, then remove it for good. */
  private void terminate(Pod pod) {
    AgentPod run = pods.get(key(pod));
    if (run != null) {
      long grace =
          pod.getMetadata().getDeletionGracePeriodSeconds() == null
              ? 30
              : pod.getMetadata().getDeletionGracePeriodSeconds();
      run.stop(Duration.ofSeconds(grace));
    }
    try {
      client.pods().resource(pod).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Stops every process it started, then the informer and the heartbeat. */
  @Override
  public void close() {
    if (informer != null) {
      informer.stop();
    }
    heartbeat.shutdownNow();
    pods.values().forEach(p -> p.stop(Duration.ofSeconds(5)));
    runners.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
