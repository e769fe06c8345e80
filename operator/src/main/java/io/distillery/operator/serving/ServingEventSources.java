package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Informers beyond the workflow's: the source's DistillationJobs, referenced or matched by the
 * selector (a job that succeeds, a reference that moves to a newer one, or a new, changed or
 * deleted matching job triggers the rollout) and the serving pods (their IPs for the canary
 * analysis).
 */
final class ServingEventSources {
  private ServingEventSources() {}

  static List<EventSource<?, StudentDeployment>> of(EventSourceContext<StudentDeployment> ctx) {
    // The mapper from a deployment to its jobs lists the informer's own cache (set below).
    var jobCache = new AtomicReference<InformerEventSource<DistillationJob, StudentDeployment>>();
    var jobs = new InformerEventSource<>(sourceJobsConfig(ctx, jobCache), ctx);
    jobCache.set(jobs);
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
    return List.of(jobs, new InformerEventSource<>(pods, ctx));
  }

  /**
   * The informer of the DistillationJobs a deployment may serve, over a trimmed cache ({@link
   * SourceJobStore}); {@code jobCache} is the informer itself, for the primary-to-secondary mapper.
   */
  static InformerEventSourceConfiguration<DistillationJob> sourceJobsConfig(
      EventSourceContext<StudentDeployment> ctx,
      AtomicReference<InformerEventSource<DistillationJob, StudentDeployment>> jobCache) {
    return InformerEventSourceConfiguration.from(DistillationJob.class, StudentDeployment.class)
        .withName("source-jobs")
        .withPrimaryToSecondaryMapper((StudentDeployment sd) -> sourceJobs(sd, jobCache.get()))
        .withSecondaryToPrimaryMapper(
            (DistillationJob dj) ->
                ctx.getPrimaryCache()
                    .list(dj.getMetadata().getNamespace(), sd -> follows(sd, dj))
                    .map(ResourceID::fromResource)
                    .collect(Collectors.toSet()))
        .withItemStore(new SourceJobStore())
        .build();
  }

  /**
   * The DistillationJobs of a deployment's source: the referenced ones and, with a selector, every
   * job of its namespace that the selector matches (a namespace-scoped lookup in the cache).
   */
  static Set<ResourceID> sourceJobs(
      StudentDeployment sd, InformerEventSource<DistillationJob, StudentDeployment> cache) {
    String ns = sd.getMetadata().getNamespace();
    Set<ResourceID> ids = new HashSet<>();
    jobRefs(sd).forEach(name -> ids.add(new ResourceID(name, ns)));
    LabelSelector selector = sd.getSpec().source.distillationJobSelector;
    if (selector != null && cache != null) {
      cache
          .list(ns, dj -> JobSelectors.matches(selector, dj.getMetadata().getLabels()))
          .forEach(dj -> ids.add(ResourceID.fromResource(dj)));
    }
    return ids;
  }

  /**
   * Whether a change of this job (same namespace) can change what the deployment serves: it is
   * referenced, the selector matches it, or the status names it, which catches a job whose labels
   * no longer match (the event carries only the new labels).
   */
  static boolean follows(StudentDeployment sd, DistillationJob dj) {
    String name = dj.getMetadata().getName();
    if (jobRefs(sd).contains(name)) {
      return true;
    }
    LabelSelector selector = sd.getSpec().source.distillationJobSelector;
    return selector != null
        && (JobSelectors.matches(selector, dj.getMetadata().getLabels())
            || namedInStatus(sd.getStatus(), name));
  }

  private static boolean namedInStatus(StudentDeploymentStatus s, String name) {
    return s != null
        && (name.equals(s.currentSource)
            || name.equals(s.selectedSource)
            || (s.pendingSources != null && s.pendingSources.contains(name))
            || (s.skippedSources != null
                && s.skippedSources.stream().anyMatch(k -> name.equals(k.name)))
            || (s.canary != null && name.equals(s.canary.source)));
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
    return plan.canary() == null
        ? List.of()
        : readyPods(sd, ctx, StudentNames.CANARY, plan.canary().digest());
  }

  /**
   * Ready pods of {@code sd}'s {@code track} serving {@code digest}, with an IP (pods being deleted
   * left out): the pods a canary analysis reads or probes.
   */
  static List<Pod> readyPods(
      StudentDeployment sd, Context<StudentDeployment> ctx, String track, String digest) {
    return ctx.getSecondaryResources(Pod.class).stream()
        .filter(
            p ->
                sd.getMetadata()
                    .getName()
                    .equals(p.getMetadata().getLabels().get(Labels.STUDENT_DEPLOYMENT)))
        .filter(p -> track.equals(p.getMetadata().getLabels().get(Labels.TRACK)))
        .filter(
            p ->
                p.getMetadata().getAnnotations() != null
                    && digest.equals(p.getMetadata().getAnnotations().get(Labels.MODEL_DIGEST)))
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
