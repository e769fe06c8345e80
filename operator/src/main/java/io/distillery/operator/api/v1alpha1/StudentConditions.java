package io.distillery.operator.api.v1alpha1;

import static io.distillery.operator.api.v1alpha1.ConditionLookup.isTrue;
import static io.distillery.operator.api.v1alpha1.ConditionLookup.reason;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Set;

/** Condition types and their constant reasons (API: documented in README.md, troubleshooting). */
public final class StudentConditions {
  public static final String SOURCE_READY = "SourceReady";
  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";

  // SourceReady.
  public static final String SOURCE_RESOLVED = "SourceResolved";
  public static final String SOURCE_NOT_FOUND = "SourceNotFound";
  public static final String SOURCE_NOT_SUCCEEDED = "SourceNotSucceeded";
  public static final String SOURCE_FAILED = "SourceFailed";
  public static final String SOURCE_GATE_FAILED = "SourceGateFailed";
  public static final String SOURCE_INVALID = "SourceInvalid";
  public static final String SOURCE_WRONG_STAGE = "SourceWrongStage";
  public static final String NO_MATCHING_JOB = "NoMatchingJob";

  /** Event reason: a DistillationJob the source selector matched is skipped (never served). */
  public static final String CANDIDATE_SKIPPED = "CandidateSkipped";

  // Available.
  public static final String REPLICAS_READY = "ReplicasReady";
  public static final String REPLICAS_NOT_READY = "ReplicasNotReady";
  public static final String NO_MODEL = "NoModel";
  public static final String MODEL_FETCH_FAILED = "ModelFetchFailed";
  public static final String CREDENTIALS_MISSING = "CredentialsMissing";

  /** The serving container exits with an error (e.g. exit 2: {@code --device gpu}, no GPU). */
  public static final String SERVER_FAILED = "ServerFailed";

  // Progressing: True while a rollout moves, False once settled or stopped.
  public static final String ROLLING_UPDATE = "RollingUpdate";
  public static final String CANARY_STARTING = "CanaryStarting";
  public static final String CANARY_ANALYSIS = "CanaryAnalysis";
  public static final String PAUSED = "CanaryPaused";
  public static final String ROLLOUT_COMPLETE = "RolloutComplete";
  public static final String WAITING_FOR_SOURCE = "WaitingForSource";
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  public static final String ROLLED_BACK = "RolledBack";

  /** Canary states in status.canary.state. */
  public static final String CANARY_PROGRESSING = "Progressing";

  public static final String CANARY_ANALYSING = "Analysing";
  public static final String CANARY_PAUSED = "Paused";
  public static final String CANARY_PROMOTED = "Promoted";
  public static final String CANARY_ROLLED_BACK = "RolledBack";
  public static final String CANARY_SUPERSEDED = "Superseded";

  /** Source reasons that need a person: Warning events. */
  public static final Set<String> SOURCE_BLOCKED =
      Set.of(
          SOURCE_NOT_FOUND, SOURCE_FAILED, SOURCE_GATE_FAILED, SOURCE_INVALID, SOURCE_WRONG_STAGE);

  private StudentConditions() {}

  /** The phase, from the conditions alone (never from their order). */
  public static StudentPhase phaseOf(List<Condition> conditions) {
    String progressing = reason(conditions, PROGRESSING);
    if (ROLLED_BACK.equals(progressing)) {
      return StudentPhase.RolledBack;
    }
    if (PROGRESS_DEADLINE_EXCEEDED.equals(progressing)) {
      return StudentPhase.Degraded;
    }
    if (isTrue(conditions, PROGRESSING)) {
      return StudentPhase.Progressing;
    }
    if (isTrue(conditions, AVAILABLE)) {
      return StudentPhase.Available;
    }
    return REPLICAS_NOT_READY.equals(reason(conditions, AVAILABLE))
        ? StudentPhase.Degraded
        : StudentPhase.Pending;
  }
}
