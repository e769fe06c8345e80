package io.distillery.operator.api.v1alpha1;

/** What a failed or inconclusive canary verdict does (spec.rollout.analysis.onFailure). */
public enum AnalysisFailure {
  /** The canary is deleted and its digest stays out until the source changes. */
  Rollback,
  /**
   * The canary keeps running, nothing is promoted, until a person annotates the StudentDeployment
   * with {@code distillery.io/canary-decision=promote} or {@code =rollback}.
   */
  Pause
}
