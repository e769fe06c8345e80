package io.distillery.operator.distillation;

import static io.distillery.operator.api.v1alpha1.DistillationConditions.*;

import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerResult;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.CredentialsProblem;
import io.distillery.operator.common.Json;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Computes the next status from the previous one and what the Job and its pods show. Pure: no
 * client, no clock of its own; every Job/Pod state it handles has a unit test.
 */
public final class TrainerStatusMapper {
  private static final Set<String> IMAGE_PULL =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG_ERRORS =
      Set.of("CreateContainerConfigError", "CreateContainerError", "RunContainerError");
  private static final int MAX_MESSAGE = 1024;

  private TrainerStatusMapper() {}

  /** What the job is doing now; {@code resultPod} holds the result JSON to report, if any. */
  record Verdict(Phase phase, String reason, String message, Pod resultPod) {
    static Verdict of(Phase phase, String reason, String message) {
      return new Verdict(phase, reason, message, null);
    }
  }

  public static DistillationJobStatus next(
      DistillationJob dj, TrainerObservation obs, Instant now, java.time.Duration staleAfter) {
    DistillationJobStatus prev = dj.getStatus();
    long generation = Optional.ofNullable(dj.getMetadata().getGeneration()).orElse(0L);
    if (settled(prev)) {
      // A finished outcome is final: the Job may be gone (TTL) and must not be re-read.
      DistillationJobStatus kept = Json.copy(prev);
      kept.observedGeneration = generation;
      return kept;
    }
    Verdict v = verdict(dj, obs);
    DistillationJobStatus next = new DistillationJobStatus();
    ResultStatus result =
        v.resultPod() == null ? null : ResultMapper.from(terminationMessage(v.resultPod()), dj);
    String message = v.message();
    if (v.phase() == Phase.Succeeded) {
      message = ResultMapper.describe(result);
    }
    next.conditions = conditions(prev, v.phase(), v.reason(), message, generation, now);
    next.phase = phaseOf(next.conditions);
    next.observedGeneration = generation;
    Job job = obs.job();
    next.trainerJob =
        job != null ? job.getMetadata().getName() : prev == null ? null : prev.trainerJob;
    next.startTime = jobTime(job, true).orElse(prev == null ? null : prev.startTime);
    if (next.phase.finished()) {
      // Before the Job is marked Complete, the trainer's own finish time is the closest.
      next.completionTime =
          jobTime(job, false).or(() -> finishedAt(v.resultPod())).orElse(seconds(now));
    }
    next.attempts = attempts(job, obs.pods(), prev);
    next.result = result != null ? result : prev == null ? null : prev.result;
    next.progress = ProgressMapper.next(prev, next.phase, obs.progress(), now, staleAfter);
    return next;
  }

  /** Succeeded or Failed for a reason other than an (editable) invalid spec. */
  static boolean settled(DistillationJobStatus s) {
    return s != null
        && s.phase != null
        && s.phase.finished()
        && !INVALID_SPEC.equals(Conditions.reason(s.conditions, FAILED));
  }

  static Verdict verdict(DistillationJob dj, TrainerObservation obs) {
    DistillationJobSpec spec = dj.getSpec();
    if (!obs.specProblems().isEmpty()) {
      return Verdict.of(
          Phase.Failed, INVALID_SPEC, "fix the spec: " + String.join("; ", obs.specProblems()));
    }
    Job job = obs.job();
    if (job == null) {
      if (dj.getStatus() != null && dj.getStatus().trainerJob != null) {
        return Verdict.of(
            Phase.Failed,
            TRAINER_JOB_DELETED,
            "the trainer Job "
                + dj.getStatus().trainerJob
                + " was deleted before it finished; recreate the DistillationJob to train again");
      }
      if (obs.givenClaimMissing()) {
        return Verdict.of(
            Phase.Pending,
            CLAIM_NOT_FOUND,
            "the output claim "
                + spec.output.claimName
                + " does not exist in namespace "
                + dj.getMetadata().getNamespace()
                + "; create it, or set spec.output.size instead of claimName to let the operator"
                + " create one");
      }
      return Verdict.of(Phase.Pending, JOB_CREATED, "creating the trainer Job");
    }
    Optional<JobCondition> complete = jobCondition(job, "Complete", "SuccessCriteriaMet");
    if (complete.isPresent()) {
      Pod pod =
          TrainerPods.newestInPhase(obs.pods(), "Succeeded")
              .orElse(TrainerPods.newest(obs.pods()).orElse(null));
      return new Verdict(Phase.Succeeded, SUCCEEDED, "", pod);
    }
    Optional<JobCondition> failed = jobCondition(job, "Failed", "FailureTarget");
    if (failed.isPresent()) {
      return failure(dj, job, failed.get(), obs.pods());
    }
    if (spec.suspended()) {
      return Verdict.of(
          Phase.Suspended,
          SUSPENDED_REASON,
          "suspended by spec.suspend; set it to false to resume from the newest checkpoint");
    }
    if (Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      if (spec.queueName != null) {
        return queued(dj, obs.workload());
      }
      return Verdict.of(Phase.Pending, JOB_CREATED, "resuming the trainer Job");
    }
    if (!obs.configMapPresent()) {
      return Verdict.of(
          Phase.Pending,
          CONFIG_MAP_MISSING,
          "the ConfigMap "
              + DistillationNames.configMap(dj)
              + " with the trainer config is missing; the operator recreates it");
    }
    Optional<Pod> latest = TrainerPods.newest(obs.pods());
    if (latest.isEmpty()) {
      return Verdict.of(
          Phase.Pending,
          JOB_CREATED,
          "trainer Job " + job.getMetadata().getName() + " created; waiting for its pod");
    }
    return podVerdict(dj, latest.get(), obs);
  }

  /**
   * A queued Job Kueue has not admitted: waiting for the first time, evicted after it ran (the
   * trainer checkpointed on SIGTERM and resumes when admitted again), or refused because its
   * LocalQueue does not exist. Without Kueue's Workload (not created yet, not readable) an eviction
   * is still known from the phase before: a suspended Job that was running.
   */
  static Verdict queued(DistillationJob dj, KueueWorkload workload) {
    String queue = dj.getSpec().queueName;
    String namespace = dj.getMetadata().getNamespace();
    if (workload != null && workload.localQueueMissing(queue)) {
      return Verdict.of(
          Phase.Queued,
          LOCAL_QUEUE_MISSING,
          "the LocalQueue "
              + queue
              + " is missing in namespace "
              + namespace
              + ": Kueue admits nothing from it; create it (kind LocalQueue, kueue.x-k8s.io) or"
              + " set spec.queueName to an existing one");
    }
    if ((workload != null && workload.evicted() != null) || ranBefore(dj.getStatus())) {
      String why =
          Optional.ofNullable(workload)
              .map(KueueWorkload::evicted)
              .map(KueueWorkload.Condition::message)
              .map(m -> " (" + m + ")")
              .orElse("");
      return Verdict.of(
          Phase.Queued,
          PREEMPTED,
          "preempted by Kueue"
              + why
              + "; the trainer checkpointed and waits in queue "
              + queue
              + " to be admitted again, then resumes from its newest checkpoint");
    }
    String kueueSays =
        Optional.ofNullable(workload)
            .flatMap(KueueWorkload::pendingMessage)
            .map(m -> " (Kueue: " + m + ")")
            .orElse("");
    return Verdict.of(
        Phase.Queued,
        QUEUED,
        "waiting for Kueue to admit the trainer Job from queue " + queue + kueueSays);
  }

  /** The trainer ran (or was preempted already) before its Job was suspended again. */
  private static boolean ranBefore(DistillationJobStatus prev) {
    if (prev == null || prev.phase == null) {
      return false;
    }
    String reason = Conditions.reason(prev.conditions, PROGRESSING);
    return prev.phase == Phase.Running
        || prev.phase == Phase.Evaluating
        || PREEMPTED.equals(reason);
  }

  private static Verdict podVerdict(DistillationJob dj, Pod pod, TrainerObservation obs) {
    String name = pod.getMetadata().getName();
    String phase = TrainerPods.phase(pod);
    if ("Succeeded".equals(phase)) {
      // Exit 0: this attempt finished and the Job (one completion) is bound to be marked Complete;
      // its pod is often read before that. Say so now rather than "Retrying" for that moment.
      return new Verdict(Phase.Succeeded, SUCCEEDED, "", pod);
    }
    if ("Failed".equals(phase)) {
      // The Job's pod failure policy fails it on these exit codes; it starts no other attempt,
      // so say why now instead of "Retrying" until the Job controller catches up.
      Optional<ContainerStateTerminated> term = TrainerPods.terminated(pod);
      Optional<Verdict> fatal = term.flatMap(t -> fatalExit(t, pod));
      if (fatal.isPresent()) {
        return fatal.get();
      }
      String ended = term.map(TrainerStatusMapper::describeExit).orElse(phase);
      return Verdict.of(
          Phase.Pending,
          RETRYING,
          "attempt in pod " + name + " ended (" + ended + "); the Job starts another");
    }
    if (TrainerPods.running(pod)) {
      // An unanswered poll keeps the trainer's last known phase.
      String trainerPhase =
          obs.progress() != null && obs.progress().progress() != null
              ? obs.progress().progress().phase
              : dj.getStatus() != null && dj.getStatus().progress != null
                  ? dj.getStatus().progress.trainerPhase
                  : null;
      boolean evaluating = "evaluating".equals(trainerPhase);
      return evaluating
          ? Verdict.of(Phase.Evaluating, EVALUATING, "pod " + name + " is evaluating the student")
          : Verdict.of(Phase.Running, RUNNING, "pod " + name + " is training");
    }
    var unschedulable =
        TrainerPods.condition(pod, "PodScheduled")
            .filter(c -> "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()));
    if (unschedulable.isPresent()) {
      return Verdict.of(
          Phase.Pending,
          UNSCHEDULABLE,
          "pod "
              + name
              + " cannot be scheduled: "
              + unschedulable.get().getMessage()
              + "; "
              + unschedulableHint(unschedulable.get().getMessage()));
    }
    var waiting = TrainerPods.waiting(pod).toList();
    for (var w : waiting) {
      if (IMAGE_PULL.contains(w.getReason())) {
        return Verdict.of(
            Phase.Pending,
            IMAGE_PULL_ERROR,
            "cannot pull the trainer image ("
                + w.getReason()
                + "): "
                + Optional.ofNullable(w.getMessage()).orElse("")
                + "; check spec.image and spec.imagePullSecrets");
      }
    }
    for (var w : waiting) {
      Optional<String> credentials =
          CredentialsProblem.of(dj.getSpec().s3, dj.getMetadata().getNamespace(), w);
      if (credentials.isPresent()) {
        return Verdict.of(Phase.Pending, CREDENTIALS_MISSING, credentials.get());
      }
      if (CONFIG_ERRORS.contains(w.getReason())) {
        return Verdict.of(
            Phase.Pending,
            CONTAINER_CONFIG_ERROR,
            "the trainer container cannot start ("
                + w.getReason()
                + "): "
                + Optional.ofNullable(w.getMessage()).orElse(""));
      }
    }
    return Verdict.of(Phase.Pending, POD_STARTING, "pod " + name + " is starting");
  }

  private static Verdict failure(DistillationJob dj, Job job, JobCondition failed, List<Pod> pods) {
    int attempts = attempts(job, pods, null);
    if ("DeadlineExceeded".equals(failed.getReason())) {
      return Verdict.of(
          Phase.Failed,
          DEADLINE_EXCEEDED,
          "the job ran longer than spec.activeDeadlineSeconds="
              + dj.getSpec().activeDeadlineSeconds
              + " and was stopped");
    }
    boolean backoff = "BackoffLimitExceeded".equals(failed.getReason());
    Optional<Pod> pod = TrainerPods.newestInPhase(pods, "Failed");
    Optional<ContainerStateTerminated> t = pod.flatMap(TrainerPods::terminated);
    if (t.isEmpty()) {
      return Verdict.of(
          Phase.Failed,
          backoff ? BACKOFF_LIMIT_EXCEEDED : TRAINER_FAILED,
          "the trainer Job failed after "
              + attempts
              + " attempt(s): "
              + failed.getReason()
              + ": "
              + Optional.ofNullable(failed.getMessage()).orElse(""));
    }
    ContainerStateTerminated term = t.get();
    if ("OOMKilled".equals(term.getReason())) {
      return Verdict.of(
          Phase.Failed,
          OOM_KILLED,
          "the trainer ran out of memory (OOMKilled) on attempt "
              + attempts
              + "; raise spec.resources.memory"
              + memory(dj)
              + " or lower spec.hyperparameters.batchSize");
    }
    return fatalExit(term, pod.get())
        .orElseGet(
            () ->
                backoff
                    ? Verdict.of(
                        Phase.Failed,
                        BACKOFF_LIMIT_EXCEEDED,
                        "backoff limit reached after "
                            + attempts
                            + " attempt(s); last: "
                            + describeExit(term))
                    : Verdict.of(Phase.Failed, TRAINER_FAILED, describeExit(term)));
  }

  /** The verdict for the exit codes the Job's pod failure policy fails at once (no retry). */
  private static Optional<Verdict> fatalExit(ContainerStateTerminated term, Pod pod) {
    String exit = describeExit(term);
    return switch (Optional.ofNullable(term.getExitCode()).orElse(-1)) {
      case ExitCodes.INVALID_CONFIG ->
          Optional.of(Verdict.of(Phase.Failed, TRAINER_CONFIG_INVALID, exit));
      case ExitCodes.INVALID_INPUT -> Optional.of(Verdict.of(Phase.Failed, INPUT_INVALID, exit));
      case ExitCodes.STORAGE_UNAVAILABLE ->
          Optional.of(Verdict.of(Phase.Failed, STORAGE_UNAVAILABLE, exit));
      case ExitCodes.DIVERGED -> Optional.of(Verdict.of(Phase.Failed, TRAINING_DIVERGED, exit));
      case ExitCodes.GATE_FAILED -> Optional.of(new Verdict(Phase.Failed, GATE_FAILED, exit, pod));
      default -> Optional.empty();
    };
  }

  /** "exit code 4 (training diverged ...): <the trainer's message or log tail>". */
  static String describeExit(ContainerStateTerminated t) {
    int code = Optional.ofNullable(t.getExitCode()).orElse(-1);
    TrainerResult r = TrainerResult.parseOrNull(t.getMessage());
    String detail = r != null && r.message != null ? r.message : lastLine(t.getMessage());
    String text = "exit code " + code + " (" + ExitCodes.meaning(code) + ")";
    return truncate(detail.isBlank() ? text : text + ": " + detail);
  }

  private static String memory(DistillationJob dj) {
    var r = dj.getSpec().resources;
    return r != null && r.memory != null ? " (now " + r.memory + ")" : "";
  }

  static List<io.fabric8.kubernetes.api.model.Condition> conditions(
      DistillationJobStatus prev,
      Phase phase,
      String reason,
      String message,
      long generation,
      Instant now) {
    var list =
        prev == null ? List.<io.fabric8.kubernetes.api.model.Condition>of() : prev.conditions;
    // The condition that is True carries the reason and message; the others say briefly why they
    // are not, so `kubectl describe` does not print one text four times.
    String msg = truncate(message);
    boolean progressing = MOVING.contains(reason);
    list =
        phase.finished()
            ? Conditions.with(
                list,
                PROGRESSING,
                false,
                reason,
                "finished; see the " + (phase == Phase.Failed ? FAILED : COMPLETE) + " condition",
                generation,
                now)
            : Conditions.with(list, PROGRESSING, progressing, reason, msg, generation, now);
    list =
        phase == Phase.Suspended
            ? Conditions.with(list, SUSPENDED, true, reason, msg, generation, now)
            : Conditions.with(
                list, SUSPENDED, false, NOT_SUSPENDED, "spec.suspend is false", generation, now);
    list =
        phase == Phase.Succeeded
            ? Conditions.with(list, COMPLETE, true, reason, msg, generation, now)
            : Conditions.with(
                list,
                COMPLETE,
                false,
                phase == Phase.Failed ? FAILED : NOT_FINISHED,
                phase == Phase.Failed ? "the job failed" : "the trainer has not finished",
                generation,
                now);
    list =
        phase == Phase.Failed
            ? Conditions.with(list, FAILED, true, reason, msg, generation, now)
            : Conditions.with(list, FAILED, false, NO_FAILURE, "no failure", generation, now);
    return list;
  }

  private static Optional<JobCondition> jobCondition(Job job, String... types) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    for (String type : types) {
      var found =
          job.getStatus().getConditions().stream()
              .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
              .findFirst();
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> jobTime(Job job, boolean start) {
    if (job == null || job.getStatus() == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        start ? job.getStatus().getStartTime() : job.getStatus().getCompletionTime());
  }

  /** Pods started so far, never fewer than reported before (deleted pods still count). */
  static int attempts(Job job, List<Pod> pods, DistillationJobStatus prev) {
    int fromJob = 0;
    if (job != null && job.getStatus() != null) {
      var s = job.getStatus();
      fromJob =
          Optional.ofNullable(s.getActive()).orElse(0)
              + Optional.ofNullable(s.getSucceeded()).orElse(0)
              + Optional.ofNullable(s.getFailed()).orElse(0);
    }
    int fromPods = pods == null ? 0 : pods.size();
    int before = prev == null || prev.attempts == null ? 0 : prev.attempts;
    return Math.max(before, Math.max(fromJob, fromPods));
  }

  private static Optional<String> finishedAt(Pod pod) {
    return pod == null
        ? Optional.empty()
        : TrainerPods.terminated(pod).map(ContainerStateTerminated::getFinishedAt);
  }

  private static String terminationMessage(Pod pod) {
    return TrainerPods.terminated(pod).map(ContainerStateTerminated::getMessage).orElse(null);
  }

  private static String lastLine(String text) {
    if (text == null) {
      return "";
    }
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }

  static String truncate(String s) {
    return s == null || s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static String seconds(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** What to do about the scheduler's message: a claim problem is not fixed by fewer resources. */
  static String unschedulableHint(String message) {
    String m = message == null ? "" : message;
    if (m.contains("unbound immediate PersistentVolumeClaims")
        || m.contains("persistentvolumeclaim")) {
      return "a claim the pod mounts is not bound: check spec.output.claimName's claim"
          + " (kubectl get pvc) and its StorageClass";
    }
    boolean resources = m.contains("Insufficient ");
    boolean placement = m.contains("node affinity/selector") || m.contains("untolerated taint");
    if (resources && !placement) {
      return "lower spec.resources or add nodes with room for them";
    }
    if (placement && !resources) {
      return "relax spec.placement or add matching nodes";
    }
    return "lower spec.resources, relax spec.placement or add matching nodes";
  }
}
