package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
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
import java.util.List;

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
    return ServingEventSources.of(context);
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
    var observation =
        new ServingObservation(
            source,
            plan,
            named(deployments, StudentNames.stable(sd)),
            named(deployments, StudentNames.canary(sd)),
            () -> canaryMetrics.read(canaryPods));
    StudentDeploymentStatus next = ServingStatusMapper.next(sd, observation, now);
    status.record(
        sd,
        next,
        ctx,
        () -> RolloutEvents.report(sd, next, new EventRecorder(ctx.getClient()), metrics));
    UpdateControl<StudentDeployment> control = UpdateControl.noUpdate();
    // Moving rollouts and canary analysis are time-driven: look again without an event.
    boolean moving =
        plan.canary() != null || Conditions.isTrue(next.conditions, StudentConditions.PROGRESSING);
    return moving ? control.rescheduleAfter(settings.progressInterval()) : control;
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
