package io.distillery.operator.api.v1alpha1;

/**
 * The condition both resources carry while their reconciles fail (written by {@code
 * common.StatusRecorder}): type {@value #TYPE}, status True, reason {@value #REASON}, the
 * exception's message. The next successful reconcile removes it.
 */
public final class ErrorCondition {
  public static final String TYPE = "ReconcileError";
  public static final String REASON = "ReconcileFailed";

  private ErrorCondition() {}
}
