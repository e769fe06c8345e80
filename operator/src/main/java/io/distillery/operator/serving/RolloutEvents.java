package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Events and rollout metrics for status transitions (one per change of phase or reason). */
final class RolloutEvents {
  private static final Set<String> WARNINGS =
      Set.of(StudentConditions.ROLLED_BACK, StudentConditions.PROGRESS_DEADLINE_EXCEEDED);

  private RolloutEvents() {}

  static void report(
      StudentDeployment sd,
      StudentDeploymentStatus next,
      EventRecorder events,
      StudentMetrics metrics) {
    StudentDeploymentStatus prev = sd.getStatus();
    outcome(prev, next).ifPresent(metrics::rollout);
    String reason = Conditions.reason(next.conditions, StudentConditions.PROGRESSING);
    String source = Conditions.reason(next.conditions, StudentConditions.SOURCE_READY);
    if (prev != null
        && prev.phase == next.phase
        && Objects.equals(Conditions.reason(prev.conditions, StudentConditions.PROGRESSING), reason)
        && Objects.equals(
            Conditions.reason(prev.conditions, StudentConditions.SOURCE_READY), source)) {
      return;
    }
    boolean sourceBlocked = StudentConditions.SOURCE_BLOCKED.contains(source);
    String eventReason = sourceBlocked ? source : reason;
    String type =
        condition(
            sourceBlocked ? StudentConditions.SOURCE_READY : StudentConditions.PROGRESSING, next);
    events.record(
        sd,
        WARNINGS.contains(eventReason) || sourceBlocked
            ? EventRecorder.WARNING
            : EventRecorder.NORMAL,
        eventReason,
        next.phase + ": " + type,
        next.phase + "/" + eventReason + "/" + next.currentDigest + "/" + canaryDigest(next));
  }

  private static String condition(String type, StudentDeploymentStatus s) {
    return Conditions.find(s.conditions, type).map(c -> c.getMessage()).orElse("");
  }

  private static String canaryDigest(StudentDeploymentStatus s) {
    return s.canary == null ? "" : s.canary.digest + "/" + s.canary.state;
  }

  /** The rollout outcome recorded by this transition, if any. */
  static Optional<String> outcome(StudentDeploymentStatus prev, StudentDeploymentStatus next) {
    String before =
        prev == null ? null : Conditions.reason(prev.conditions, StudentConditions.PROGRESSING);
    String after = Conditions.reason(next.conditions, StudentConditions.PROGRESSING);
    String prevCanary = prev == null || prev.canary == null ? null : prev.canary.state;
    String nextCanary = next.canary == null ? null : next.canary.state;
    if (!Objects.equals(prevCanary, nextCanary)
        && StudentConditions.CANARY_PROMOTED.equals(nextCanary)) {
      return Optional.of("promoted");
    }
    if (!Objects.equals(prevCanary, nextCanary)
        && StudentConditions.CANARY_ROLLED_BACK.equals(nextCanary)) {
      return Optional.of("rolled_back");
    }
    if (StudentConditions.ROLLING_UPDATE.equals(before)
        && StudentConditions.ROLLOUT_COMPLETE.equals(after)) {
      return Optional.of("completed");
    }
    if (!StudentConditions.PROGRESS_DEADLINE_EXCEEDED.equals(before)
        && StudentConditions.PROGRESS_DEADLINE_EXCEEDED.equals(after)) {
      return Optional.of("deadline_exceeded");
    }
    return Optional.empty();
  }
}
