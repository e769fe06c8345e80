package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import java.util.Objects;

/** Normal or Warning events for status transitions. */
final class TransitionEvents {
  private TransitionEvents() {}

  /**
   * One event per change of phase or reason (its name makes a repeat after restart a no-op), except
   * for a new job's first status when it only says its Job was created: that status says so
   * already, and the event would be a fifth API request for every new job (BENCHMARKS.md, "Operator
   * scale"). A first status that warns (a missing claim, an invalid spec) is recorded.
   */
  static void report(DistillationJob dj, DistillationJobStatus next, EventRecorder events) {
    if (!worthAnEvent(dj.getStatus(), next)) {
      return;
    }
    String reason = Conditions.reason(next.conditions, DistillationConditions.PROGRESSING);
    // The message of the condition that says what happened (Progressing only points to it then).
    String about =
        switch (next.phase) {
          case Failed -> DistillationConditions.FAILED;
          case Succeeded -> DistillationConditions.COMPLETE;
          case Suspended -> DistillationConditions.SUSPENDED;
          default -> DistillationConditions.PROGRESSING;
        };
    String message = Conditions.find(next.conditions, about).map(c -> c.getMessage()).orElse("");
    boolean warning = next.phase == Phase.Failed || DistillationConditions.BLOCKED.contains(reason);
    events.record(
        dj,
        warning ? EventRecorder.WARNING : EventRecorder.NORMAL,
        reason,
        next.phase + ": " + message,
        next.phase + "/" + reason + "/" + next.attempts);
  }

  static boolean worthAnEvent(DistillationJobStatus prev, DistillationJobStatus next) {
    String reason = Conditions.reason(next.conditions, DistillationConditions.PROGRESSING);
    if (prev == null || prev.phase == null) {
      return !(next.phase == Phase.Pending && DistillationConditions.JOB_CREATED.equals(reason));
    }
    return prev.phase != next.phase
        || !Objects.equals(
            Conditions.reason(prev.conditions, DistillationConditions.PROGRESSING), reason);
  }
}
