package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Lazy;
import io.distillery.operator.common.OperatorSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;

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
    this.source = Lazy.of(() -> SourceResolution.of(sd, referencedJob(sd, ctx)));
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

  /** The referenced DistillationJob from the informer (null without a reference or a job). */
  private static DistillationJob referencedJob(
      StudentDeployment sd, Context<StudentDeployment> ctx) {
    return sd.getSpec().source.distillationJobRef == null
        ? null
        : ctx.getSecondaryResource(DistillationJob.class).orElse(null);
  }
}
