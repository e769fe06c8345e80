package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Reconcile precondition of the created output claim: {@code spec.output.size} is set and the spec
 * is valid, or the claim exists already (artifacts on it are never deleted by a spec check).
 */
public class OutputClaimPrecondition implements Condition<PersistentVolumeClaim, DistillationJob> {

  @Override
  public boolean isMet(
      DependentResource<PersistentVolumeClaim, DistillationJob> dependent,
      DistillationJob dj,
      Context<DistillationJob> context) {
    if (dj.getSpec().output.size == null) {
      return false;
    }
    return context.getSecondaryResource(PersistentVolumeClaim.class).isPresent()
        || DistillationJobContext.of(context).specProblems().isEmpty();
  }
}
