package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Precondition of the canary Deployment: the plan has a canary model and no verdict was reached for
 * it yet (a promoted or rolled-back canary is deleted at once).
 */
public class CanaryPrecondition implements Condition<Object, StudentDeployment> {
  @Override
  public boolean isMet(
      DependentResource<Object, StudentDeployment> dependent,
      StudentDeployment sd,
      Context<StudentDeployment> ctx) {
    return StudentDeploymentContext.of(ctx).plan().canary() != null;
  }
}
