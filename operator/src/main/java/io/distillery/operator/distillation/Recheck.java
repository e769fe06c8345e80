package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.OperatorSettings;
import java.time.Duration;
import java.time.Instant;

/** The reschedule policy: nothing for a settled job, so it causes no further work. */
final class Recheck {
  private Recheck() {}

  /**
   * When to look again without an event: progress polls, and a backed-off check of a missing claim
   * or of a queued Job's Kueue Workload (admission itself changes the Job, which is an event).
   */
  static java.util.Optional<Duration> after(
      DistillationJobStatus s, Instant now, OperatorSettings settings) {
    String reason = Conditions.reason(s.conditions, DistillationConditions.PROGRESSING);
    if (DistillationConditions.CLAIM_NOT_FOUND.equals(reason)
        || DistillationConditions.QUEUED_REASONS.contains(reason)) {
      Duration waited =
          Conditions.find(s.conditions, DistillationConditions.PROGRESSING)
              .map(c -> Duration.between(Instant.parse(c.getLastTransitionTime()), now))
              .orElse(Duration.ZERO);
      Duration delay = waited.compareTo(settings.retryMin()) < 0 ? settings.retryMin() : waited;
      return java.util.Optional.of(
          delay.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : delay);
    }
    if (DistillationConditions.MOVING.contains(reason)) {
      return java.util.Optional.of(settings.progressInterval());
    }
    if (DistillationConditions.BLOCKED.contains(reason) || s.phase == Phase.Queued) {
      return java.util.Optional.of(settings.retryMax());
    }
    return java.util.Optional.empty();
  }
}
