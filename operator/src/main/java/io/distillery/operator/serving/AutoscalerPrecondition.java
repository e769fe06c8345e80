package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Precondition of the HPA: {@code spec.autoscaling} is set (else an existing HPA is deleted). */
public class AutoscalerPrecondition implements Condition<Object, StudentDeployment> {
  @Override
  public boolean isMet(
      DependentResource<Object, StudentDeployment> dependent,
      StudentDeployment sd,
      Context<StudentDeployment> ctx) {
    return sd.getSpec().autoscaling != null;
  }
}
