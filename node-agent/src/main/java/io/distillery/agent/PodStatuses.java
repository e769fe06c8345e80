package io.distillery.agent;

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
import java.util.List;

/**
 * The status a kubelet reports for the agent's one-container pods: Running with the pod's address
 * and readiness, then the container's exit code and termination message, in the shape the Job and
 * Deployment controllers, the endpoints controller and the operator read.
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

  PodStatuses(KubernetesClient client, Pod pod, String ip, String nodeIp) {
    this.client = client;
    this.pod = pod;
    this.ip = ip;
    this.nodeIp = nodeIp;
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
    ContainerState terminated =
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(exit)
            .withReason(exit == 0 ? "Completed" : "Error")
            .withMessage(message.isEmpty() ? null : message)
            .withStartedAt(time(containerStart))
            .withFinishedAt(now())
            .withContainerID(containerId(pid))
            .endTerminated()
            .build();
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

  private ContainerStatus container(
      ContainerState state,
      ContainerState lastState,
      long pid,
      int restarts,
      boolean ready,
      boolean started) {
    var c = pod.getSpec().getContainers().get(0);
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
    String readiness = ready ? "True" : "False";
    List<PodCondition> conditions =
        List.of(
            condition("PodReadyToStartContainers", "True"),
            condition("Initialized", "True"),
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
