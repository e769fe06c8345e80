package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.OperatorSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;

/**
 * What one reconcile of a DistillationJob shares between the reconciler, the preconditions and the
 * dependents. The reconciler installs it before the workflow runs ({@link ContextInitializer}): the
 * framework builds the dependents, so this is how they get the operator's settings.
 */
final class DistillationJobContext {
  private static final String KEY = DistillationJobContext.class.getName();

  private final OperatorSettings settings;

  private DistillationJobContext(OperatorSettings settings) {
    this.settings = settings;
  }

  static void install(Context<DistillationJob> ctx, OperatorSettings settings) {
    ctx.managedWorkflowAndDependentResourceContext().put(KEY, new DistillationJobContext(settings));
  }

  static DistillationJobContext of(Context<DistillationJob> ctx) {
    return ctx.managedWorkflowAndDependentResourceContext()
        .getMandatory(KEY, DistillationJobContext.class);
  }

  OperatorSettings settings() {
    return settings;
  }
}
