package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Lazy;
import io.distillery.operator.common.OperatorSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;
import java.util.Set;

/**
 * What one reconcile of a StudentDeployment shares between the reconciler, the preconditions and
 * the dependents: the resolved source and the rollout plan, each computed at most once in that
 * reconcile, so all of them act on the same plan. The reconciler installs it before the workflow
 * runs ({@link ContextInitializer}); the framework builds the dependents, so this is also how they
 * get the operator's settings.
 */
final class StudentDeploymentContext {
  private static final String KEY = StudentDeploymentContext.class.getName();

  private final OperatorSettings settings;
  private final Lazy<SourceResolution> source;
  private final Lazy<RolloutPlan> plan;

  private StudentDeploymentContext(
      StudentDeployment sd, Context<StudentDeployment> ctx, OperatorSettings settings) {
    this.settings = settings;
    this.source = Lazy.of(() -> sourceOf(sd, ctx.getSecondaryResources(DistillationJob.class)));
    this.plan = Lazy.of(() -> RolloutPlan.of(sd, source.get()));
  }

  static void install(
      StudentDeployment sd, Context<StudentDeployment> ctx, OperatorSettings settings) {
    ctx.managedWorkflowAndDependentResourceContext()
        .put(KEY, new StudentDeploymentContext(sd, ctx, settings));
  }

  static StudentDeploymentContext of(Context<StudentDeployment> ctx) {
    return ctx.managedWorkflowAndDependentResourceContext()
        .getMandatory(KEY, StudentDeploymentContext.class);
  }

  OperatorSettings settings() {
    return settings;
  }

  SourceResolution source() {
    return source.get();
  }

  RolloutPlan plan() {
    return plan.get();
  }

  /**
   * The source from the informer's DistillationJobs: the referenced ones, or those the selector
   * matches, plus the appearance stage's (a pair references two, so they are told apart by name).
   */
  private static SourceResolution sourceOf(StudentDeployment sd, Set<DistillationJob> jobs) {
    var appearance = sd.getSpec().source.appearance;
    return SourceResolution.fromJobs(
        sd,
        jobs,
        SourceResolution.named(jobs, appearance == null ? null : appearance.distillationJobRef));
  }
}
