package io.distillery.operator.api.v1alpha1;

/**
 * Phase of a StudentDeployment, for humans and {@code kubectl get}; computed from the conditions
 * (see {@code StudentConditions#phaseOf}).
 */
public enum StudentPhase {
  Pending,
  Progressing,
  Available,
  Degraded,
  RolledBack
}
