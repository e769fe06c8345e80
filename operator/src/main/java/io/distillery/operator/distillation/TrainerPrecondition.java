package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Reconcile precondition of the trainer ConfigMap and Job. True while the Job exists (JOSDK deletes
 * a dependent whose precondition fails, and a running Job must never be deleted for that), else
 * only for a job never started whose spec is valid and whose given output claim exists. A Job that
 * vanished after it was created is not recreated: that would silently train again.
 */
public class TrainerPrecondition implements Condition<Object, DistillationJob> {

  @Override
  public boolean isMet(
      DependentResource<Object, DistillationJob> dependent,
      DistillationJob dj,
      Context<DistillationJob> context) {
    if (context.getSecondaryResource(Job.class).isPresent()) {
      return true;
    }
    boolean neverStarted = dj.getStatus() == null || dj.getStatus().trainerJob == null;
    DistillationJobContext shared = DistillationJobContext.of(context);
    return neverStarted && shared.specProblems().isEmpty() && !shared.givenClaimMissing();
  }
}
