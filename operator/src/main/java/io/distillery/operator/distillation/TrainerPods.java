package io.distillery.operator.distillation;

import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Read-only views of trainer pods and their trainer container. */
final class TrainerPods {
  private static final Comparator<Pod> BY_CREATION =
      Comparator.comparing(
              (Pod p) ->
                  p.getMetadata().getCreationTimestamp() == null
                      ? ""
                      : p.getMetadata().getCreationTimestamp())
          .thenComparing(p -> p.getMetadata().getName());

  private TrainerPods() {}

  static Optional<Pod> newest(List<Pod> pods) {
    return pods == null ? Optional.empty() : pods.stream().max(BY_CREATION);
  }

  static Optional<Pod> newestInPhase(List<Pod> pods, String phase) {
    return pods == null
        ? Optional.empty()
        : pods.stream().filter(p -> phase.equals(phase(p))).max(BY_CREATION);
  }

  static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  static Optional<ContainerStatus> trainer(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> DistillationNames.CONTAINER.equals(c.getName()))
        .findFirst();
  }

  static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return trainer(pod)
        .flatMap(
            c ->
                Stream.of(c.getState(), c.getLastState())
                    .filter(s -> s != null && s.getTerminated() != null)
                    .map(s -> s.getTerminated())
                    .findFirst());
  }

  /** Waiting states of all containers (init containers included), e.g. image pull errors. */
  static Stream<ContainerStateWaiting> waiting(Pod pod) {
    if (pod.getStatus() == null) {
      return Stream.empty();
    }
    return Stream.concat(
            Optional.ofNullable(pod.getStatus().getInitContainerStatuses())
                .orElse(List.of())
                .stream(),
            Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()).stream())
        .map(ContainerStatus::getState)
        .filter(s -> s != null && s.getWaiting() != null)
        .map(s -> s.getWaiting());
  }

  static Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  static boolean running(Pod pod) {
    return "Running".equals(phase(pod))
        && trainer(pod)
            .map(c -> c.getState() != null && c.getState().getRunning() != null)
            .orElse(false);
  }

  /**
   * Pods name their DistillationJob in a label (their owner is the Job, not the custom resource).
   */
  static Set<ResourceID> owningJob(Pod pod) {
    String name =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get(Labels.DISTILLATION_JOB);
    return name == null ? Set.of() : Set.of(new ResourceID(name, pod.getMetadata().getNamespace()));
  }

  static boolean ownedBy(Pod pod, Job job) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), job.getMetadata().getUid()));
  }
}
