package io.distillery.operator.api.v1alpha1;

/** How a new model replaces the served one. */
public enum RolloutStrategy {
  /** The Deployment's own rolling update (no old pod goes before a new one is ready). */
  Rolling,
  /** A canary Deployment beside the stable one, promoted or rolled back after analysis. */
  Canary
}
