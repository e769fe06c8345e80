package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Events and rollout metrics for status transitions (one per change of phase or reason, and one per
 * skipped selector candidate).
 */
final class RolloutEvents {
  private static final Set<String> WARNINGS =
      Set.of(
          StudentConditions.ROLLED_BACK,
          StudentConditions.PROGRESS_DEADLINE_EXCEEDED,
          // A paused canary waits for a person.
          StudentConditions.PAUSED);

  private RolloutEvents() {}

  /**
   * A rollout's outcome (promoted, rolled_back, paused, completed, deadline_exceeded) and why
   * (status.canary.reason for a canary verdict); {@code verdict} for a canary's verdict.
   */
  record Outcome(String outcome, String reason, boolean verdict) {}

  /** One event to record: its type, reason, message and the key its name is derived from. */
  record Transition(String type, String reason, String message, String key) {}

  static void report(
      StudentDeployment sd,
      StudentDeploymentStatus next,
      EventRecorder events,
      StudentMetrics metrics) {
    StudentDeploymentStatus prev = sd.getStatus();
    outcome(prev, next)
        .ifPresent(
            o -> {
              metrics.rollout(o.outcome(), o.reason());
              if (o.verdict()) {
                metrics.verdict(sd, CanaryVerdict.figureValues(next.canary));
              }
            });
    transition(prev, next)
        .ifPresent(t -> events.record(sd, t.type(), t.reason(), t.message(), t.key()));
    skipped(prev, next).forEach(t -> events.record(sd, t.type(), t.reason(), t.message(), t.key()));
  }

  /**
   * One CandidateSkipped event per job newly listed in status.skippedSources: from the status
   * change, and keyed by job and reason, so a restart does not repeat it.
   */
  static List<Transition> skipped(StudentDeploymentStatus prev, StudentDeploymentStatus next) {
    if (next.skippedSources == null) {
      return List.of();
    }
    Set<String> before =
        prev == null || prev.skippedSources == null
            ? Set.of()
            : prev.skippedSources.stream()
                .map(k -> k.name + "/" + k.reason)
                .collect(Collectors.toSet());
    return next.skippedSources.stream()
        .filter(k -> !before.contains(k.name + "/" + k.reason))
        .map(
            k ->
                new Transition(
                    EventRecorder.NORMAL,
                    StudentConditions.CANDIDATE_SKIPPED,
                    "skipped DistillationJob " + k.name + " (" + k.reason + "): " + k.message,
                    String.join("/", StudentConditions.CANDIDATE_SKIPPED, k.name, k.reason)))
        .toList();
  }

  /** The event for a change of phase or reason, if any. */
  static Optional<Transition> transition(
      StudentDeploymentStatus prev, StudentDeploymentStatus next) {
    String reason = Conditions.reason(next.conditions, StudentConditions.PROGRESSING);
    String source = Conditions.reason(next.conditions, StudentConditions.SOURCE_READY);
    if (prev != null
        && prev.phase == next.phase
        && Objects.equals(Conditions.reason(prev.conditions, StudentConditions.PROGRESSING), reason)
        && Objects.equals(
            Conditions.reason(prev.conditions, StudentConditions.SOURCE_READY), source)) {
      return Optional.empty();
    }
    boolean sourceBlocked = StudentConditions.SOURCE_BLOCKED.contains(source);
    // Degraded without a stuck rollout: serving pods lost readiness; Available says how many.
    boolean unready =
        !sourceBlocked
            && next.phase == StudentPhase.Degraded
            && !StudentConditions.PROGRESS_DEADLINE_EXCEEDED.equals(reason);
    String about =
        sourceBlocked
            ? StudentConditions.SOURCE_READY
            : unready ? StudentConditions.AVAILABLE : StudentConditions.PROGRESSING;
    String eventReason = Conditions.reason(next.conditions, about);
    // The Available transition time tells one loss of readiness (or recovery) from the next, so
    // each gets its own event name instead of reusing the first one's.
    String since =
        Conditions.find(next.conditions, StudentConditions.AVAILABLE)
            .map(c -> c.getLastTransitionTime())
            .orElse("");
    return Optional.of(
        new Transition(
            WARNINGS.contains(eventReason) || sourceBlocked || unready
                ? EventRecorder.WARNING
                : EventRecorder.NORMAL,
            eventReason,
            next.phase + ": " + condition(about, next),
            String.join(
                "/",
                next.phase.name(),
                eventReason,
                String.valueOf(next.currentDigest),
                canaryDigest(next),
                since)));
  }

  private static String condition(String type, StudentDeploymentStatus s) {
    return Conditions.find(s.conditions, type).map(c -> c.getMessage()).orElse("");
  }

  private static String canaryDigest(StudentDeploymentStatus s) {
    return s.canary == null ? "" : s.canary.digest + "/" + s.canary.state;
  }

  /** The rollout outcome recorded by this transition, if any. */
  static Optional<Outcome> outcome(StudentDeploymentStatus prev, StudentDeploymentStatus next) {
    String before =
        prev == null ? null : Conditions.reason(prev.conditions, StudentConditions.PROGRESSING);
    String after = Conditions.reason(next.conditions, StudentConditions.PROGRESSING);
    String prevCanary = prev == null || prev.canary == null ? null : prev.canary.state;
    String nextCanary = next.canary == null ? null : next.canary.state;
    if (!Objects.equals(prevCanary, nextCanary)) {
      String reason = next.canary.reason == null ? CanaryVerdict.PASSED : next.canary.reason;
      if (StudentConditions.CANARY_PROMOTED.equals(nextCanary)) {
        return Optional.of(new Outcome("promoted", reason, true));
      }
      if (StudentConditions.CANARY_ROLLED_BACK.equals(nextCanary)) {
        return Optional.of(new Outcome("rolled_back", reason, true));
      }
      if (StudentConditions.CANARY_PAUSED.equals(nextCanary)) {
        return Optional.of(new Outcome("paused", reason, true));
      }
    }
    if (StudentConditions.ROLLING_UPDATE.equals(before)
        && StudentConditions.ROLLOUT_COMPLETE.equals(after)) {
      return Optional.of(new Outcome("completed", "rolling_update", false));
    }
    if (!StudentConditions.PROGRESS_DEADLINE_EXCEEDED.equals(before)
        && StudentConditions.PROGRESS_DEADLINE_EXCEEDED.equals(after)) {
      return Optional.of(new Outcome("deadline_exceeded", CanaryVerdict.DEADLINE, false));
    }
    return Optional.empty();
  }
}
