package io.distillery.operator.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays the job controller and the kubelet, which the test control plane lacks: creates the Job's
 * pods from its template and writes Job and Pod status through the status subresource.
 */
public final class ClusterSimulator {
  private final KubernetesClient client;

  public ClusterSimulator(KubernetesClient client) {
    this.client = client;
  }

  /** A pod of {@code job}, built from its template and owned by it, as the job controller does. */
  public Pod createPod(Job job, String name) {
    var template = job.getSpec().getTemplate();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(template.getMetadata().getLabels())
            .withAnnotations(template.getMetadata().getAnnotations())
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("batch/v1")
                    .withKind("Job")
                    .withName(job.getMetadata().getName())
                    .withUid(job.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    return client.pods().resource(pod).create();
  }

  public Pod podStatus(Pod pod, PodStatus status) {
    Pod current = client.pods().resource(pod).get();
    current.setStatus(status);
    return client.pods().resource(current).updateStatus();
  }

  public static PodStatus unschedulable(String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withConditions(
            new PodConditionBuilder()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage(message)
                .build())
        .build();
  }

  public static PodStatus waiting(String reason, String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("trainer")
                .withImage("img")
                .withImageID("")
                .withReady(false)
                .withRestartCount(0)
                .withState(
                    new ContainerStateBuilder()
                        .withNewWaiting()
                        .withReason(reason)
                        .withMessage(message)
                        .endWaiting()
                        .build())
                .build())
        .build();
  }

  public static PodStatus running(String ip) {
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(ip)
        .withStartTime(now())
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("trainer")
                .withImage("img")
                .withImageID("")
                .withReady(true)
                .withRestartCount(0)
                .withState(
                    new ContainerStateBuilder()
                        .withNewRunning()
                        .withStartedAt(now())
                        .endRunning()
                        .build())
                .build())
        .build();
  }

  public static PodStatus terminated(String phase, int exitCode, String reason, String message) {
    return new PodStatusBuilder()
        .withPhase(phase)
        .withPodIP("127.0.0.1")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("trainer")
                .withImage("img")
                .withImageID("")
                .withReady(false)
                .withRestartCount(0)
                .withState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(exitCode)
                        .withReason(reason)
                        .withMessage(message)
                        .withStartedAt(now())
                        .withFinishedAt(now())
                        .endTerminated()
                        .build())
                .build())
        .build();
  }

  /** Job status: active/failed/succeeded counts and, when finished, the terminal conditions. */
  public Job jobStatus(Job job, int active, int succeeded, int failed, JobCondition... conditions) {
    Job current = client.batch().v1().jobs().resource(job).get();
    var status =
        current.getStatus() == null
            ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus()
            : current.getStatus();
    status.setActive(active);
    status.setSucceeded(succeeded);
    status.setFailed(failed);
    status.setReady(0);
    if (status.getStartTime() == null) {
      status.setStartTime(now());
    }
    List<JobCondition> list =
        new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
    list.addAll(List.of(conditions));
    status.setConditions(list);
    for (JobCondition c : conditions) {
      if ("Complete".equals(c.getType())) {
        status.setCompletionTime(now());
      }
    }
    current.setStatus(status);
    return client.batch().v1().jobs().resource(current).updateStatus();
  }

  public static JobCondition condition(String type, String reason, String message) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(message)
        .withLastProbeTime(now())
        .withLastTransitionTime(now())
        .build();
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
