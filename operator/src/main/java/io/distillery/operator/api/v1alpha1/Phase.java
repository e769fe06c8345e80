package io.distillery.operator.api.v1alpha1;

/**
 * Phase of a DistillationJob, for humans and {@code kubectl get}. It is computed from the
 * conditions (see {@code DistillationConditions#phaseOf}), never stored as a source of truth.
 */
public enum Phase {
  Pending,
  Queued,
  Running,
  Evaluating,
  Succeeded,
  Failed,
  Suspended;

  public boolean finished() {
    return this == Succeeded || this == Failed;
  }
}
