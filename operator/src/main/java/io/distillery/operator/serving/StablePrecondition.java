package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Precondition of the stable Deployment: a model to serve (the resolved source, or the one already
 * served while a new source is not ready). Before the first model there is nothing to run.
 */
public class StablePrecondition implements Condition<Object, StudentDeployment> {
  @Override
  public boolean isMet(
      DependentResource<Object, StudentDeployment> dependent,
      StudentDeployment sd,
      Context<StudentDeployment> ctx) {
    return StudentDeploymentContext.of(ctx).plan().stable() != null;
  }
}
