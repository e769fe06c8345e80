package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.*;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reconciles a DistillationJob: the workflow keeps the ConfigMap, the output claim and the trainer
 * Job in place; this class only observes them, computes the status and reports transitions.
 */
@Workflow(
    dependents = {
      @Dependent(
          name = "trainer-config",
          type = TrainerConfigMapDependent.class,
          reconcilePrecondition = TrainerMayRun.class),
      @Dependent(
          name = "output-claim",
          type = OutputClaimDependent.class,
          reconcilePrecondition = OutputClaimWanted.class),
      @Dependent(
          name = "trainer-job",
          type = TrainerJobDependent.class,
          dependsOn = "trainer-config",
          reconcilePrecondition = TrainerMayRun.class)
    })
@ControllerConfiguration(name = DistillationJobReconciler.NAME)
public class DistillationJobReconciler implements Reconciler<DistillationJob> {
  public static final String NAME = "distillationjob";

  private final OperatorSettings settings;
  private final DistillationMetrics metrics;
  private final TrainerProgressClient progress;

  @Inject
  public DistillationJobReconciler(MeterRegistry registry) {
    this(OperatorSettings.current(), registry);
  }

  public DistillationJobReconciler(OperatorSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.metrics = new DistillationMetrics(registry);
    this.progress = new TrainerProgressClient(settings.progressTimeout());
  }

  @Override
  public List<EventSource<?, DistillationJob>> prepareEventSources(
      EventSourceContext<DistillationJob> context) {
    metrics.countFrom(() -> context.getPrimaryCache().list());
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, DistillationJob.class)
            .withName("trainer-pods")
            .withLabelSelector(DistillationNames.CHILD_SELECTOR)
            .withSecondaryToPrimaryMapper(DistillationJobReconciler::owningJob)
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<DistillationJob> reconcile(
      DistillationJob dj, Context<DistillationJob> ctx) {
    Instant now = Instant.now();
    Job job = ctx.getSecondaryResource(Job.class).orElse(null);
    // Only this Job's pods: a recreated DistillationJob of the same name starts clean.
    List<Pod> pods =
        ctx.getSecondaryResources(Pod.class).stream()
            .filter(p -> job != null && ownedBy(p, job))
            .toList();
    List<String> problems = SpecChecks.problems(dj);
    boolean claimMissing =
        job == null && problems.isEmpty() && GivenClaim.missing(dj, ctx.getClient());
    boolean readProgress = job != null && !TrainerStatusMapper.settled(dj.getStatus());
    var reading =
        readProgress
            ? TrainerPods.newest(pods).filter(TrainerPods::running).map(progress::read).orElse(null)
            : null;
    var observation =
        new TrainerObservation(
            job,
            pods,
            ctx.getSecondaryResource(ConfigMap.class).isPresent(),
            claimMissing,
            problems,
            reading);
    DistillationJobStatus next =
        TrainerStatusMapper.next(dj, observation, now, settings.staleAfter());
    metrics.observe(dj, next.phase, now);
    UpdateControl<DistillationJob> control;
    if (sameJson(dj.getStatus(), next)) {
      control = UpdateControl.noUpdate();
    } else {
      reportTransition(dj, next, new EventRecorder(ctx.getClient()));
      dj.setStatus(next);
      control = UpdateControl.patchStatus(dj);
    }
    return recheck(next, now).map(control::rescheduleAfter).orElse(control);
  }

  /** One event per change of phase or reason (its name makes a repeat after restart a no-op). */
  private static void reportTransition(
      DistillationJob dj, DistillationJobStatus next, EventRecorder events) {
    DistillationJobStatus prev = dj.getStatus();
    String reason = Conditions.reason(next.conditions, DistillationConditions.PROGRESSING);
    if (prev != null
        && prev.phase == next.phase
        && Objects.equals(
            Conditions.reason(prev.conditions, DistillationConditions.PROGRESSING), reason)) {
      return;
    }
    String message =
        Conditions.find(next.conditions, DistillationConditions.PROGRESSING)
            .map(c -> c.getMessage())
            .orElse("");
    boolean warning = next.phase == Phase.Failed || DistillationConditions.BLOCKED.contains(reason);
    events.record(
        dj,
        warning ? EventRecorder.WARNING : EventRecorder.NORMAL,
        reason,
        next.phase + ": " + message,
        next.phase + "/" + reason + "/" + next.attempts);
  }

  /** When to look again without an event: progress polls, and a backed-off claim check. */
  private java.util.Optional<Duration> recheck(DistillationJobStatus s, Instant now) {
    String reason = Conditions.reason(s.conditions, DistillationConditions.PROGRESSING);
    if (DistillationConditions.CLAIM_NOT_FOUND.equals(reason)) {
      Duration waited =
          Conditions.find(s.conditions, DistillationConditions.PROGRESSING)
              .map(c -> Duration.between(Instant.parse(c.getLastTransitionTime()), now))
              .orElse(Duration.ZERO);
      Duration delay = waited.compareTo(settings.retryMin()) < 0 ? settings.retryMin() : waited;
      return java.util.Optional.of(
          delay.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : delay);
    }
    if (DistillationConditions.MOVING.contains(reason)) {
      return java.util.Optional.of(settings.progressInterval());
    }
    if (DistillationConditions.BLOCKED.contains(reason) || s.phase == Phase.Queued) {
      return java.util.Optional.of(settings.retryMax());
    }
    return java.util.Optional.empty();
  }

  /**
   * Pods name their DistillationJob in a label (their owner is the Job, not the custom resource).
   */
  private static Set<ResourceID> owningJob(Pod pod) {
    String name =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get(Labels.DISTILLATION_JOB);
    return name == null ? Set.of() : Set.of(new ResourceID(name, pod.getMetadata().getNamespace()));
  }

  private static boolean ownedBy(Pod pod, Job job) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), job.getMetadata().getUid()));
  }

  private static boolean sameJson(Object a, Object b) {
    return Serialization.jsonMapper()
        .valueToTree(a)
        .equals(Serialization.jsonMapper().valueToTree(b));
  }
}
