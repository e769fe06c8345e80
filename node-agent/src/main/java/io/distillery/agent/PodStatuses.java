package io.distillery.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The status a kubelet reports for the agent's one-container pods: init containers one after the
 * other (Pending, {@code status.initContainerStatuses}), then Running with the pod's address and
 * readiness, then the container's exit code and termination message, in the shape the Job and
 * Deployment controllers, the endpoints controller and the operator read. A container that cannot
 * be created yet waits with the kubelet's reason (CreateContainerConfigError).
 */
final class PodStatuses {
  private final KubernetesClient client;
  private final Pod pod;
  private final String ip;
  private final String nodeIp;
  private final String started = now();
  // Start of the newest container run whose end was reported: a late "running" write for it (the
  // readiness thread's, racing the exit) must not overwrite the terminated state.
  private Instant endedRun;
  // Init containers' statuses, in spec order: waiting (PodInitializing) until each runs.
  private final List<ContainerStatus> init = new ArrayList<>();

  PodStatuses(KubernetesClient client, Pod pod, String ip, String nodeIp) {
    this.client = client;
    this.pod = pod;
    this.ip = ip;
    this.nodeIp = nodeIp;
    for (Container c : initContainers(pod)) {
      init.add(status(c, waitingState("PodInitializing", null), null, 0, 0, false, false));
    }
  }

  private static List<Container> initContainers(Pod pod) {
    return pod.getSpec().getInitContainers() == null
        ? List.of()
        : pod.getSpec().getInitContainers();
  }

  /** Init container {@code index} runs (the pod is Pending, not Initialized). */
  synchronized void initRunning(int index, Instant start, long pid, int restarts) {
    ContainerState running =
        new ContainerStateBuilder()
            .withNewRunning()
            .withStartedAt(time(start))
            .endRunning()
            .build();
    Container c = initContainers(pod).get(index);
    init.set(index, status(c, running, lastState(init.get(index)), pid, restarts, false, true));
    patchInit("Pending");
  }

  /**
   * Init container {@code index} ended: done with exit 0; else restarted after a back-off ({@code
   * restarting}: CrashLoopBackOff with the failure as lastState) or, for restartPolicy Never, the
   * pod Failed.
   */
  synchronized void initTerminated(
      int index,
      Instant start,
      long pid,
      int exit,
      String message,
      int restarts,
      boolean restarting) {
    ContainerState terminated = terminatedState(start, pid, exit, message);
    Container c = initContainers(pod).get(index);
    if (exit != 0 && restarting) {
      init.set(
          index,
          status(
              c, waitingState("CrashLoopBackOff", null), terminated, pid, restarts, false, false));
      patchInit("Pending");
    } else {
      init.set(index, status(c, terminated, null, pid, restarts, exit == 0, false));
      patchInit(exit == 0 ? "Pending" : "Failed");
    }
  }

  /** Init container {@code index} cannot be created yet, e.g. a Secret its env names is missing. */
  synchronized void initWaiting(int index, String reason, String message) {
    Container c = initContainers(pod).get(index);
    ContainerStatus before = init.get(index);
    init.set(
        index,
        status(
            c,
            waitingState(reason, message),
            lastState(before),
            0,
            restarts(before),
            false,
            false));
    patchInit("Pending");
  }

  /** The (main) container cannot be created yet, e.g. a Secret its env names is missing. */
  synchronized void cannotCreate(String reason, String message) {
    patch("Pending", false, container(waitingState(reason, message), null, 0, 0, false, false));
  }

  private void patchInit(String phase) {
    Container main = pod.getSpec().getContainers().get(0);
    write(
        phase,
        false,
        false,
        status(main, waitingState("PodInitializing", null), null, 0, 0, false, false));
  }

  private static ContainerState lastState(ContainerStatus s) {
    return s == null ? null : s.getLastState();
  }

  private static int restarts(ContainerStatus s) {
    return s == null || s.getRestartCount() == null ? 0 : s.getRestartCount();
  }

  private static ContainerState waitingState(String reason, String message) {
    return new ContainerStateBuilder()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .build();
  }

  synchronized void running(Instant containerStart, long pid, int restarts, boolean ready) {
    if (containerStart.equals(endedRun)) {
      return;
    }
    ContainerState running =
        new ContainerStateBuilder()
            .withNewRunning()
            .withStartedAt(time(containerStart))
            .endRunning()
            .build();
    patch("Running", ready, container(running, null, pid, restarts, ready, true));
  }

  /** The container ended with {@code exit}; {@code restarting} for restartPolicy Always. */
  synchronized void terminated(
      Instant containerStart,
      long pid,
      int exit,
      String message,
      int restarts,
      boolean restarting) {
    endedRun = containerStart;
    ContainerState terminated = terminatedState(containerStart, pid, exit, message);
    if (restarting) {
      ContainerState waiting =
          new ContainerStateBuilder()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .endWaiting()
              .build();
      patch("Running", false, container(waiting, terminated, pid, restarts, false, false));
    } else {
      patch(
          exit == 0 ? "Succeeded" : "Failed",
          false,
          container(terminated, null, pid, restarts, false, false));
    }
  }

  /** The container could not be created (a volume or the container itself is unsupported). */
  synchronized void cannotRun(String message) {
    ContainerState terminated =
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(128)
            .withReason("ContainerCannotRun")
            .withMessage(message)
            .withStartedAt(started)
            .withFinishedAt(now())
            .endTerminated()
            .build();
    patch("Failed", false, container(terminated, null, 0, 0, false, false));
  }

  private static ContainerState terminatedState(
      Instant containerStart, long pid, int exit, String message) {
    return new ContainerStateBuilder()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(exit == 0 ? "Completed" : "Error")
        .withMessage(message.isEmpty() ? null : message)
        .withStartedAt(time(containerStart))
        .withFinishedAt(now())
        .withContainerID(containerId(pid))
        .endTerminated()
        .build();
  }

  private ContainerStatus container(
      ContainerState state,
      ContainerState lastState,
      long pid,
      int restarts,
      boolean ready,
      boolean started) {
    return status(
        pod.getSpec().getContainers().get(0), state, lastState, pid, restarts, ready, started);
  }

  private static ContainerStatus status(
      Container c,
      ContainerState state,
      ContainerState lastState,
      long pid,
      int restarts,
      boolean ready,
      boolean started) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withImageID("agent://" + c.getImage())
        .withContainerID(pid > 0 ? containerId(pid) : null)
        .withState(state)
        .withLastState(lastState)
        .withReady(ready)
        .withStarted(started)
        .withRestartCount(restarts)
        .build();
  }

  private void patch(String phase, boolean ready, ContainerStatus container) {
    write(phase, ready, true, container);
  }

  private void write(String phase, boolean ready, boolean initialized, ContainerStatus container) {
    String readiness = ready ? "True" : "False";
    List<PodCondition> conditions =
        List.of(
            condition("PodReadyToStartContainers", "True"),
            condition("Initialized", initialized ? "True" : "False"),
            condition("Ready", readiness),
            condition("ContainersReady", readiness),
            condition("PodScheduled", "True"));
    PodStatus status =
        new PodStatusBuilder()
            .withPhase(phase)
            .withHostIP(nodeIp)
            .withHostIPs(new HostIP(nodeIp))
            .withPodIP(ip)
            .withPodIPs(new PodIP(ip))
            .withStartTime(started)
            .withConditions(conditions)
            .withInitContainerStatuses(init.isEmpty() ? null : List.copyOf(init))
            .withContainerStatuses(container)
            .withQosClass(pod.getStatus() == null ? null : pod.getStatus().getQosClass())
            .build();
    try {
      OnConflict.retry(
          () ->
              client
                  .pods()
                  .inNamespace(pod.getMetadata().getNamespace())
                  .withName(pod.getMetadata().getName())
                  .editStatus(
                      p -> {
                        p.setStatus(status);
                        return p;
                      }));
    } catch (KubernetesClientException e) {
      // Deleted meanwhile: nothing left to report on.
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static PodCondition condition(String type, String status) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(now())
        .build();
  }

  private static String containerId(long pid) {
    return "agent://" + pid;
  }

  private static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String now() {
    return time(Instant.now());
  }
}
