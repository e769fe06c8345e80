package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.common.EventRecorder;
import io.distillery.operator.common.NamespaceTermination;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.StatusRecorder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.*;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;

/**
 * Reconciles a DistillationJob: the workflow keeps the ConfigMap, the output claim and the trainer
 * Job in place; this class only observes them, computes the status and reports transitions.
 */
@Workflow(
    dependents = {
      @Dependent(
          name = "trainer-config",
          type = TrainerConfigMapDependent.class,
          reconcilePrecondition = TrainerPrecondition.class),
      @Dependent(
          name = "output-claim",
          type = OutputClaimDependent.class,
          reconcilePrecondition = OutputClaimPrecondition.class),
      @Dependent(
          name = "trainer-job",
          type = TrainerJobDependent.class,
          dependsOn = "trainer-config",
          reconcilePrecondition = TrainerPrecondition.class)
    })
@ControllerConfiguration(
    name = DistillationJobReconciler.NAME,
    informer = @Informer(itemStore = DistillationJobStore.class))
public class DistillationJobReconciler
    implements Reconciler<DistillationJob>, ContextInitializer<DistillationJob> {
  public static final String NAME = "distillationjob";

  private final OperatorSettings settings;
  private final DistillationMetrics metrics;
  private final TrainerProgressClient progress;
  private final StatusRecorder<DistillationJob, DistillationJobStatus> status =
      new StatusRecorder<>(
          DistillationJob::new,
          DistillationJobStatus::new,
          s -> s.conditions,
          (s, c) -> s.conditions = c);

  @Inject
  public DistillationJobReconciler(OperatorSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.metrics = new DistillationMetrics(registry);
    this.progress = new TrainerProgressClient(settings.progressTimeout());
  }

  @Override
  public void initContext(DistillationJob primary, Context<DistillationJob> ctx) {
    DistillationJobContext.install(primary, ctx, settings);
  }

  @Override
  public List<EventSource<?, DistillationJob>> prepareEventSources(
      EventSourceContext<DistillationJob> context) {
    metrics.countFrom(() -> context.getPrimaryCache().list());
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, DistillationJob.class)
            .withName("trainer-pods")
            .withLabelSelector(DistillationNames.CHILD_SELECTOR)
            .withSecondaryToPrimaryMapper(TrainerPods::owningJob)
            .withItemStore(new TrainerPodStore())
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
            .filter(p -> job != null && TrainerPods.ownedBy(p, job))
            .toList();
    if (dj.isMarkedForDeletion()
        || (job == null
            && dj.getStatus() != null
            && dj.getStatus().trainerJob != null
            && NamespaceTermination.terminating(
                ctx.getClient(), dj.getMetadata().getNamespace()))) {
      // Its namespace is going away and took the Job first: not a failure to report.
      return UpdateControl.noUpdate();
    }
    DistillationJobContext shared = DistillationJobContext.of(ctx);
    List<String> problems = shared.specProblems();
    boolean claimMissing = job == null && problems.isEmpty() && shared.givenClaimMissing();
    boolean readProgress = job != null && !TrainerStatusMapper.settled(dj.getStatus());
    var reading =
        readProgress
            ? TrainerPods.newest(pods).filter(TrainerPods::running).map(progress::read).orElse(null)
            : null;
    // Why Kueue holds a queued Job back (missing LocalQueue, eviction), from its Workload.
    boolean queued =
        job != null
            && dj.getSpec().queueName != null
            && Boolean.TRUE.equals(job.getSpec().getSuspend())
            && !dj.getSpec().suspended()
            && !TrainerStatusMapper.settled(dj.getStatus());
    var workload = queued ? KueueWorkloads.of(ctx.getClient(), job).orElse(null) : null;
    var observation =
        new TrainerObservation(
            job,
            pods,
            ctx.getSecondaryResource(ConfigMap.class).isPresent(),
            claimMissing,
            problems,
            reading,
            workload);
    DistillationJobStatus next =
        TrainerStatusMapper.next(dj, observation, now, settings.staleAfter());
    metrics.observe(dj, next.phase, now);
    metrics.failed(dj, next);
    status.record(
        dj, next, ctx, () -> TransitionEvents.report(dj, next, new EventRecorder(ctx.getClient())));
    UpdateControl<DistillationJob> control = UpdateControl.noUpdate();
    return Recheck.after(next, now, settings).map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public ErrorStatusUpdateControl<DistillationJob> updateErrorStatus(
      DistillationJob dj, Context<DistillationJob> ctx, Exception e) {
    if (NamespaceTermination.causedBy(e)) {
      // Its namespace is going away: nothing to report, retry or record.
      return ErrorStatusUpdateControl.<DistillationJob>noStatusUpdate().withNoRetry();
    }
    return status.recordError(dj, ctx, e);
  }
}
