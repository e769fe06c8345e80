package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Informers beyond the workflow's: the referenced DistillationJobs (a job that succeeds, or a
 * reference that moves to a newer one, triggers the rollout) and the serving pods (their IPs for
 * the canary analysis).
 */
final class ServingEventSources {
  private ServingEventSources() {}

  static List<EventSource<?, StudentDeployment>> of(EventSourceContext<StudentDeployment> ctx) {
    var jobs =
        InformerEventSourceConfiguration.from(DistillationJob.class, StudentDeployment.class)
            .withName("source-jobs")
            .withPrimaryToSecondaryMapper(
                (StudentDeployment sd) ->
                    jobRefs(sd).stream()
                        .map(name -> new ResourceID(name, sd.getMetadata().getNamespace()))
                        .collect(Collectors.toSet()))
            .withSecondaryToPrimaryMapper(
                (DistillationJob dj) ->
                    ctx.getPrimaryCache()
                        .list(
                            sd ->
                                Objects.equals(
                                        sd.getMetadata().getNamespace(),
                                        dj.getMetadata().getNamespace())
                                    && jobRefs(sd).contains(dj.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build();
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, StudentDeployment.class)
            .withName("serving-pods")
            .withLabelSelector(StudentNames.CHILD_SELECTOR)
            .withSecondaryToPrimaryMapper(
                (Pod p) ->
                    p.getMetadata().getLabels().containsKey(Labels.STUDENT_DEPLOYMENT)
                        ? Set.of(
                            new ResourceID(
                                p.getMetadata().getLabels().get(Labels.STUDENT_DEPLOYMENT),
                                p.getMetadata().getNamespace()))
                        : Set.of())
            .build();
    return List.of(new InformerEventSource<>(jobs, ctx), new InformerEventSource<>(pods, ctx));
  }

  /** The DistillationJobs a StudentDeployment's source names: the structure's and appearance's. */
  static Set<String> jobRefs(StudentDeployment sd) {
    Set<String> names = new HashSet<>();
    if (sd.getSpec().source.distillationJobRef != null) {
      names.add(sd.getSpec().source.distillationJobRef);
    }
    if (sd.getSpec().source.appearance != null
        && sd.getSpec().source.appearance.distillationJobRef != null) {
      names.add(sd.getSpec().source.appearance.distillationJobRef);
    }
    return names;
  }

  /** Ready canary pods serving the planned canary model (their IPs are read for metrics). */
  static List<Pod> readyCanaryPods(
      StudentDeployment sd, Context<StudentDeployment> ctx, RolloutPlan plan) {
    if (plan.canary() == null) {
      return List.of();
    }
    return ctx.getSecondaryResources(Pod.class).stream()
        .filter(p -> StudentNames.CANARY.equals(p.getMetadata().getLabels().get(Labels.TRACK)))
        .filter(
            p ->
                plan.canary()
                    .digest()
                    .equals(p.getMetadata().getAnnotations().get(Labels.MODEL_DIGEST)))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(ServingEventSources::ready)
        .toList();
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null
        && p.getStatus().getPodIP() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
