package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import io.distillery.operator.common.Lazy;
import io.distillery.operator.common.NamespaceTermination;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.StatusRecorder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.*;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reconciles a StudentDeployment: the workflow keeps the stable and canary Deployments, the Service
 * and the HPA as the {@link RolloutPlan} says; this class observes them, takes the canary verdict
 * through {@link ServingStatusMapper} and patches the status when it changed.
 */
@Workflow(
    dependents = {
      @Dependent(
          name = "stable",
          type = StableDeploymentDependent.class,
          reconcilePrecondition = StablePrecondition.class),
      @Dependent(
          name = "canary",
          type = CanaryDeploymentDependent.class,
          reconcilePrecondition = CanaryPrecondition.class),
      @Dependent(name = "service", type = ServingServiceDependent.class),
      @Dependent(
          name = "autoscaler",
          type = AutoscalerDependent.class,
          dependsOn = "stable",
          reconcilePrecondition = AutoscalerPrecondition.class)
    })
@ControllerConfiguration(name = StudentDeploymentReconciler.NAME)
public class StudentDeploymentReconciler
    implements Reconciler<StudentDeployment>, ContextInitializer<StudentDeployment> {
  public static final String NAME = "studentdeployment";

  private final OperatorSettings settings;
  private final StudentMetrics metrics;
  private final CanaryMetricsClient canaryMetrics;
  private final StatusRecorder<StudentDeployment, StudentDeploymentStatus> status =
      new StatusRecorder<>(
          StudentDeployment::new,
          StudentDeploymentStatus::new,
          s -> s.conditions,
          (s, c) -> s.conditions = c);

  @Inject
  public StudentDeploymentReconciler(OperatorSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.metrics = new StudentMetrics(registry);
    this.canaryMetrics = new CanaryMetricsClient(settings.progressTimeout());
  }

  @Override
  public void initContext(StudentDeployment primary, Context<StudentDeployment> ctx) {
    StudentDeploymentContext.install(primary, ctx, settings);
  }

  @Override
  public List<EventSource<?, StudentDeployment>> prepareEventSources(
      EventSourceContext<StudentDeployment> context) {
    metrics.countFrom(() -> context.getPrimaryCache().list());
    List<EventSource<?, StudentDeployment>> sources =
        new ArrayList<>(ServingEventSources.of(context));
    sources.add(ProbePods.informer(context));
    return sources;
  }

  @Override
  public UpdateControl<StudentDeployment> reconcile(
      StudentDeployment sd, Context<StudentDeployment> ctx) {
    Instant now = Instant.now();
    StudentDeploymentContext shared = StudentDeploymentContext.of(ctx);
    SourceResolution source = shared.source();
    RolloutPlan plan = shared.plan();
    List<Deployment> deployments = ctx.getSecondaryResources(Deployment.class).stream().toList();
    List<Pod> canaryPods = ServingEventSources.readyCanaryPods(sd, ctx, plan);
    Lazy<List<Pod>> stablePods =
        Lazy.of(
            () ->
                plan.stable() == null
                    ? List.of()
                    : ProbePods.readyStable(sd, ctx, plan.stable().digest()));
    // One scrape of the canary pods per reconcile gives both the error counts and the latency.
    Lazy<Optional<CanaryMetricsClient.PodMetrics>> canaryRead =
        Lazy.of(() -> canaryMetrics.snapshot(canaryPods));
    var observation =
        new ServingObservation(
            source,
            plan,
            named(deployments, StudentNames.stable(sd)),
            named(deployments, StudentNames.canary(sd)),
            () -> canaryRead.get().map(CanaryMetricsClient.PodMetrics::requests),
            () -> latency(canaryRead.get(), stablePods.get()),
            () -> probeOutcome(sd, ctx, plan),
            ctx.getSecondaryResources(Pod.class).stream().toList());
    StudentDeploymentStatus next = ServingStatusMapper.next(sd, observation, now);
    CanaryCalls.createProbeJob(ctx.getClient(), sd, next, canaryPods, stablePods.get(), settings);
    status.record(
        sd,
        next,
        ctx,
        () -> RolloutEvents.report(sd, next, new EventRecorder(ctx.getClient()), metrics));
    CanaryCalls.clearDecision(ctx.getClient(), sd, next);
    UpdateControl<StudentDeployment> control = UpdateControl.noUpdate();
    // Moving rollouts and canary analysis are time-driven: look again without an event.
    boolean moving =
        plan.canary() != null || Conditions.isTrue(next.conditions, StudentConditions.PROGRESSING);
    return moving ? control.rescheduleAfter(settings.progressInterval()) : control;
  }

  /** Both tracks' user-traffic latency; empty unless every pod of both could be read. */
  private Optional<CanaryLatency> latency(
      Optional<CanaryMetricsClient.PodMetrics> canaryRead, List<Pod> stablePods) {
    Optional<LatencyHistogram> canary = canaryRead.map(CanaryMetricsClient.PodMetrics::latency);
    if (canary.isEmpty()) {
      return Optional.empty();
    }
    return canaryMetrics
        .readLatency(stablePods)
        .map(stable -> new CanaryLatency(canary.get(), stable));
  }

  /** The finished probe pod of the canary being analysed, from the informer cache. */
  private static Optional<ProbeOutcome> probeOutcome(
      StudentDeployment sd, Context<StudentDeployment> ctx, RolloutPlan plan) {
    var c = sd.getStatus() == null ? null : sd.getStatus().canary;
    if (plan.canary() == null || c == null || c.analysisStartTime == null) {
      return Optional.empty();
    }
    return ProbeJobs.outcome(
        ProbePods.of(sd, ctx), sd, plan.canary().digest(), Instant.parse(c.analysisStartTime));
  }

  private static Deployment named(List<Deployment> deployments, String name) {
    return deployments.stream()
        .filter(d -> name.equals(d.getMetadata().getName()))
        .findFirst()
        .orElse(null);
  }

  @Override
  public ErrorStatusUpdateControl<StudentDeployment> updateErrorStatus(
      StudentDeployment sd, Context<StudentDeployment> ctx, Exception e) {
    if (NamespaceTermination.causedBy(e)) {
      // Its namespace is going away: nothing to report, retry or record.
      return ErrorStatusUpdateControl.<StudentDeployment>noStatusUpdate().withNoRetry();
    }
    return status.recordError(sd, ctx, e);
  }
}
