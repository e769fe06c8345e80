package io.distillery.operator.deployment;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.OperatorSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ContextInitializer;

/**
 * What one reconcile of a StudentDeployment shares between the reconciler, the preconditions and
 * the dependents. The reconciler installs it before the workflow runs ({@link ContextInitializer}):
 * the framework builds the dependents, so this is how they get the operator's settings.
 */
final class StudentDeploymentContext {
  private static final String KEY = StudentDeploymentContext.class.getName();

  private final OperatorSettings settings;

  private StudentDeploymentContext(OperatorSettings settings) {
    this.settings = settings;
  }

  static void install(Context<StudentDeployment> ctx, OperatorSettings settings) {
    ctx.managedWorkflowAndDependentResourceContext()
        .put(KEY, new StudentDeploymentContext(settings));
  }

  static StudentDeploymentContext of(Context<StudentDeployment> ctx) {
    return ctx.managedWorkflowAndDependentResourceContext()
        .getMandatory(KEY, StudentDeploymentContext.class);
  }

  OperatorSettings settings() {
    return settings;
  }
}
