package io.distillery.operator.api.v1alpha1;

import static io.distillery.operator.api.v1alpha1.ConditionLookup.isTrue;
import static io.distillery.operator.api.v1alpha1.ConditionLookup.reason;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Set;

/** Condition types and their constant reasons (API: documented in README.md, troubleshooting). */
public final class DistillationConditions {
  public static final String PROGRESSING = "Progressing";
  public static final String SUSPENDED = "Suspended";
  public static final String COMPLETE = "Complete";
  public static final String FAILED = "Failed";
  public static final List<String> TYPES = List.of(PROGRESSING, SUSPENDED, COMPLETE, FAILED);

  // Moving on (Progressing=True).
  public static final String JOB_CREATED = "JobCreated";
  public static final String POD_STARTING = "PodStarting";
  public static final String RUNNING = "Running";
  public static final String EVALUATING = "Evaluating";
  public static final String RETRYING = "Retrying";

  // Waiting on something (Progressing=False), with a reason the user can act on.
  public static final String QUEUED = "Queued";
  public static final String PREEMPTED = "Preempted";
  public static final String LOCAL_QUEUE_MISSING = "LocalQueueMissing";
  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String IMAGE_PULL_ERROR = "ImagePullError";
  public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";
  public static final String CONFIG_MAP_MISSING = "ConfigMapMissing";
  public static final String CLAIM_NOT_FOUND = "ClaimNotFound";
  public static final String CREDENTIALS_MISSING = "CredentialsMissing";
  public static final String SUSPENDED_REASON = "Suspended";

  // Finished.
  public static final String SUCCEEDED = "Succeeded";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String TRAINER_CONFIG_INVALID = "TrainerConfigInvalid";
  public static final String INPUT_INVALID = "InputInvalid";
  public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";
  public static final String TRAINING_DIVERGED = "TrainingDiverged";
  public static final String GATE_FAILED = "GateFailed";
  public static final String OOM_KILLED = "OOMKilled";
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  public static final String BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
  public static final String TRAINER_FAILED = "TrainerFailed";
  public static final String TRAINER_JOB_DELETED = "TrainerJobDeleted";

  // Of Suspended, Complete and Failed while False (Complete=False says Failed when the job failed).
  public static final String NOT_SUSPENDED = "NotSuspended";
  public static final String NOT_FINISHED = "NotFinished";
  public static final String NO_FAILURE = "NoFailure";

  /** Reasons of Progressing=True: the job is moving without anyone's help. */
  public static final Set<String> MOVING =
      Set.of(JOB_CREATED, POD_STARTING, RUNNING, EVALUATING, RETRYING);

  /** Waiting reasons that need a person: reported as Warning events. */
  public static final Set<String> BLOCKED =
      Set.of(
          UNSCHEDULABLE,
          IMAGE_PULL_ERROR,
          CONTAINER_CONFIG_ERROR,
          CONFIG_MAP_MISSING,
          CLAIM_NOT_FOUND,
          CREDENTIALS_MISSING,
          LOCAL_QUEUE_MISSING);

  /** Reasons of the Queued phase: Kueue has not admitted the trainer Job (again) yet. */
  public static final Set<String> QUEUED_REASONS = Set.of(QUEUED, PREEMPTED, LOCAL_QUEUE_MISSING);

  private DistillationConditions() {}

  /** The phase, from the conditions alone (never from their order). */
  public static Phase phaseOf(List<Condition> conditions) {
    if (isTrue(conditions, FAILED)) {
      return Phase.Failed;
    }
    if (isTrue(conditions, COMPLETE)) {
      return Phase.Succeeded;
    }
    if (isTrue(conditions, SUSPENDED)) {
      return Phase.Suspended;
    }
    String reason = reason(conditions, PROGRESSING);
    if (QUEUED_REASONS.contains(reason)) {
      return Phase.Queued;
    }
    if (EVALUATING.equals(reason)) {
      return Phase.Evaluating;
    }
    if (RUNNING.equals(reason)) {
      return Phase.Running;
    }
    return Phase.Pending;
  }
}
