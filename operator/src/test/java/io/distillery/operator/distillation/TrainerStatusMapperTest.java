package io.distillery.operator.distillation;

import static io.distillery.operator.api.v1alpha1.DistillationConditions.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerProgress;
import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.S3Spec;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.distillation.TrainerObservation.ProgressReading;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Statuses;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every Job/Pod state the operator distinguishes, mapped without a cluster. */
class TrainerStatusMapperTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  static final Duration STALE = Duration.ofSeconds(60);
  static final String RESULT =
      """
      {"status":"succeeded","exitCode":0,"artifact":"/var/lib/distillery/output/dj/student",
       "digest":"sha256:d1","speedup":{"2":11.0,"1":21.44},"gate":{"passed":true,"fdRatio":1.081}}""";

  DistillationJob dj = Fixtures.distillationJob("dj");
  Job job = TrainerJobDependent.desired(dj, OperatorSettings.defaults(), null);

  @Test
  void invalidSpecFailsNamingTheProblemAndIsNotSticky() {
    var s = map(obs(null, List.of(), List.of("spec.teacher.uri: unsupported location")));
    assertPhase(s, Phase.Failed, INVALID_SPEC);
    assertThat(message(s, FAILED)).contains("spec.teacher.uri");
    dj.setStatus(s);
    assertThat(TrainerStatusMapper.settled(s)).isFalse();
    assertPhase(map(obs(null, List.of())), Phase.Pending, JOB_CREATED);
  }

  @Test
  void missingGivenClaimIsPendingWithWhatToDo() {
    var o = new TrainerObservation(null, List.of(), true, true, List.of(), null);
    var s = map(o);
    assertPhase(s, Phase.Pending, CLAIM_NOT_FOUND);
    assertThat(message(s, PROGRESSING)).contains("artifacts").contains("namespace ml");
    assertThat(Conditions.isTrue(s.conditions, PROGRESSING)).isFalse();
  }

  @Test
  void jobWithoutPodIsPendingAndProgressing() {
    var s = map(obs(job, List.of()));
    assertPhase(s, Phase.Pending, JOB_CREATED);
    assertThat(Conditions.isTrue(s.conditions, PROGRESSING)).isTrue();
    assertThat(s.trainerJob).isEqualTo("dj");
    assertThat(s.observedGeneration).isEqualTo(1L);
  }

  /** The Job's state in a case: running, or finished with one of its controller's conditions. */
  enum JobState {
    ACTIVE,
    BACKOFF_LIMIT_EXCEEDED,
    POD_FAILURE_POLICY
  }

  /** One pod state: what the mapper must make of it (phase, reason, words in the message). */
  record PodCase(
      String name,
      JobState job,
      PodStatus pod,
      Phase phase,
      String reason,
      String condition,
      List<String> says) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<PodCase> podStates() {
    return Stream.of(
        new PodCase(
            "unschedulable: the scheduler's message and what to do",
            JobState.ACTIVE,
            Statuses.unschedulable("0/2 nodes are available: 2 Insufficient nvidia.com/gpu."),
            Phase.Pending,
            UNSCHEDULABLE,
            PROGRESSING,
            List.of("p1", "Insufficient nvidia.com/gpu", "lower spec.resources")),
        new PodCase(
            "unschedulable for an unbound claim: points at the claim",
            JobState.ACTIVE,
            Statuses.unschedulable(
                "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
                    + " preemption: 0/3 nodes are available: 3 Preemption is not helpful for"
                    + " scheduling."),
            Phase.Pending,
            UNSCHEDULABLE,
            PROGRESSING,
            List.of(
                "unbound immediate PersistentVolumeClaims", "claim the pod mounts is not bound")),
        new PodCase(
            "unschedulable for placement: points at spec.placement",
            JobState.ACTIVE,
            Statuses.unschedulable(
                "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."),
            Phase.Pending,
            UNSCHEDULABLE,
            PROGRESSING,
            List.of("relax spec.placement")),
        new PodCase(
            "ErrImagePull",
            JobState.ACTIVE,
            Statuses.waiting("ErrImagePull", "not found"),
            Phase.Pending,
            IMAGE_PULL_ERROR,
            PROGRESSING,
            List.of()),
        new PodCase(
            "ImagePullBackOff",
            JobState.ACTIVE,
            Statuses.waiting("ImagePullBackOff", "back-off"),
            Phase.Pending,
            IMAGE_PULL_ERROR,
            PROGRESSING,
            List.of()),
        new PodCase(
            "CreateContainerConfigError",
            JobState.ACTIVE,
            Statuses.waiting("CreateContainerConfigError", "secret x not found"),
            Phase.Pending,
            CONTAINER_CONFIG_ERROR,
            PROGRESSING,
            List.of()),
        new PodCase(
            "ContainerCreating",
            JobState.ACTIVE,
            Statuses.waiting("ContainerCreating", ""),
            Phase.Pending,
            POD_STARTING,
            PROGRESSING,
            List.of()),
        new PodCase(
            "a failed attempt while the Job retries",
            JobState.ACTIVE,
            Statuses.terminated("Failed", 1, "Error", "boom"),
            Phase.Pending,
            RETRYING,
            PROGRESSING,
            List.of("exit code 1", "internal error")),
        new PodCase(
            // The Job is still active: its controller has not applied the policy yet.
            "a fatal exit fails at once, before the pod failure policy",
            JobState.ACTIVE,
            Statuses.terminated("Failed", 3, "Error", "mdt: /data/x.npz: no such file"),
            Phase.Failed,
            INPUT_INVALID,
            FAILED,
            List.of("exit code 3", "/data/x.npz")),
        exitCode(2, TRAINER_CONFIG_INVALID),
        exitCode(3, INPUT_INVALID),
        exitCode(4, TRAINING_DIVERGED),
        exitCode(6, STORAGE_UNAVAILABLE),
        new PodCase(
            "exit 6: object storage unreachable, the trainer's line names the URI and endpoint",
            JobState.POD_FAILURE_POLICY,
            Statuses.terminated(
                "Failed",
                6,
                "Error",
                "s3://teachers/t1: endpoint http://seaweedfs:8333 unreachable after 30 s"),
            Phase.Failed,
            STORAGE_UNAVAILABLE,
            FAILED,
            List.of(
                "exit code 6 (object storage unreachable)",
                "s3://teachers/t1",
                "http://seaweedfs:8333")),
        new PodCase(
            "exit 3 on object storage stays InputInvalid",
            JobState.POD_FAILURE_POLICY,
            Statuses.terminated("Failed", 3, "Error", "s3://teachers/t1: access denied"),
            Phase.Failed,
            INPUT_INVALID,
            FAILED,
            List.of("s3://teachers/t1: access denied")),
        new PodCase(
            "OOMKilled: what to change",
            JobState.BACKOFF_LIMIT_EXCEEDED,
            Statuses.terminated("Failed", 137, "OOMKilled", ""),
            Phase.Failed,
            OOM_KILLED,
            FAILED,
            List.of("spec.resources.memory", "batchSize")));
  }

  /** A deterministic exit code has its own reason and keeps the trainer's last words. */
  static PodCase exitCode(int code, String reason) {
    return new PodCase(
        "exit code " + code,
        JobState.POD_FAILURE_POLICY,
        Statuses.terminated("Failed", code, "Error", "line 1\nlast words"),
        Phase.Failed,
        reason,
        FAILED,
        List.of("exit code " + code, "last words"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("podStates")
  void eachPodStateMapsToItsPhaseReasonAndMessage(PodCase c) {
    var s = map(obs(job(c.job()), List.of(pod("p1", c.pod()))));
    assertPhase(s, c.phase(), c.reason());
    for (String words : c.says()) {
      assertThat(message(s, c.condition())).contains(words);
    }
  }

  @Test
  void aMissingCredentialsSecretOrKeyIsCredentialsMissingNamingTheSecret() {
    dj.getSpec().s3 = new S3Spec();
    dj.getSpec().s3.credentialsSecret = "s3-creds";
    for (String kubelet :
        List.of(
            "secret \"s3-creds\" not found",
            "couldn't find key secretAccessKey in Secret ml/s3-creds")) {
      var s =
          map(
              obs(
                  active(),
                  List.of(pod("p1", Statuses.waiting("CreateContainerConfigError", kubelet)))));
      assertPhase(s, Phase.Pending, CREDENTIALS_MISSING);
      assertThat(message(s, PROGRESSING))
          .contains("credentials Secret s3-creds (spec.s3.credentialsSecret)")
          .contains(kubelet)
          .contains("accessKeyId");
      assertThat(Conditions.isTrue(s.conditions, PROGRESSING)).isFalse();
    }
    // Another Secret's problem is no credentials problem.
    var other =
        map(
            obs(
                active(),
                List.of(
                    pod(
                        "p1",
                        Statuses.waiting(
                            "CreateContainerConfigError", "secret \"other\" not found")))));
    assertPhase(other, Phase.Pending, CONTAINER_CONFIG_ERROR);
  }

  @Test
  void missingConfigMapIsReported() {
    var o =
        new TrainerObservation(
            active(),
            List.of(pod("p", Statuses.waiting("ContainerCreating", ""))),
            false,
            false,
            List.of(),
            null);
    assertPhase(map(o), Phase.Pending, CONFIG_MAP_MISSING);
  }

  @Test
  void runningPodWithProgressIsRunningThenEvaluating() {
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    var s = map(obs(active(), List.of(running), progress("training", 30, 60, NOW)));
    assertPhase(s, Phase.Running, RUNNING);
    assertThat(s.progress.percent).isEqualTo(50);
    assertThat(s.progress.display).isEqualTo("50%");
    assertThat(s.progress.stale).isNull();
    dj.setStatus(s);
    assertPhase(
        map(obs(active(), List.of(running), progress("evaluating", 60, 60, NOW))),
        Phase.Evaluating,
        EVALUATING);
  }

  @Test
  void unreachableTrainerKeepsProgressMarkedStaleWithoutAnError() {
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    dj.setStatus(map(obs(active(), List.of(running), progress("training", 30, 60, NOW))));
    var s = map(obs(active(), List.of(running), ProgressReading.failed("connect timed out")));
    assertPhase(s, Phase.Running, RUNNING);
    assertThat(s.progress.stale).isTrue();
    assertThat(s.progress.display).isEqualTo("50% (stale)");
    assertThat(s.progress.step).isEqualTo(30);
  }

  @Test
  void oldSnapshotIsStale() {
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    var s =
        map(obs(active(), List.of(running), progress("training", 6, 60, NOW.minusSeconds(300))));
    assertThat(s.progress.stale).isTrue();
    assertThat(s.progress.display).isEqualTo("10% (stale)");
  }

  @Test
  void aTrainerThatNeverAnswersShowsWhyTheProgressColumnHasNoPercent() {
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    assertThat(map(obs(active(), List.of(running))).progress.display).isEqualTo("no progress yet");
    var s = map(obs(active(), List.of(running), ProgressReading.failed("connect refused")));
    assertThat(s.progress.display).isEqualTo("unreachable");
    assertThat(s.progress.percent).isNull();
    dj.setStatus(s);
    assertThat(
            map(obs(active(), List.of(running), ProgressReading.failed("timed out")))
                .progress
                .display)
        .isEqualTo("unreachable");
    assertThat(
            map(obs(active(), List.of(running), progress("training", 6, 60, NOW))).progress.display)
        .isEqualTo("10%");
  }

  @Test
  void eachConditionHasItsOwnReasonAndMessage() {
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    for (var s :
        List.of(
            map(obs(active(), List.of(running))),
            map(
                obs(
                    finished(cond("Failed", "PodFailurePolicy")),
                    List.of(pod("p", Statuses.terminated("Failed", 4, "Error", "nan loss"))))))) {
      assertThat(s.conditions).extracting(Condition::getMessage).doesNotHaveDuplicates();
      assertThat(s.conditions)
          .filteredOn(c -> "False".equals(c.getStatus()))
          .allSatisfy(c -> assertThat(c.getMessage()).hasSizeLessThan(60));
    }
    var failed =
        map(
            obs(
                finished(cond("Failed", "PodFailurePolicy")),
                List.of(pod("p", Statuses.terminated("Failed", 4, "Error", "nan loss")))));
    assertThat(cond(failed, FAILED).getReason()).isEqualTo(TRAINING_DIVERGED);
    assertThat(cond(failed, COMPLETE).getReason()).isNotEqualTo(TRAINING_DIVERGED);
    assertThat(cond(failed, SUSPENDED).getReason()).isNotEqualTo(TRAINING_DIVERGED);
  }

  @Test
  void succeededJobReportsTheResultFromTheTerminationMessage() {
    Job done =
        finished(
            cond("SuccessCriteriaMet", "CompletionsReached"),
            cond("Complete", "CompletionsReached"));
    var s =
        map(obs(done, List.of(pod("p", Statuses.terminated("Succeeded", 0, "Completed", RESULT)))));
    assertPhase(s, Phase.Succeeded, SUCCEEDED);
    assertThat(Conditions.isTrue(s.conditions, COMPLETE)).isTrue();
    assertThat(s.result.artifact).isEqualTo("pvc://artifacts/dj/student");
    assertThat(s.result.summary.bestSpeedup).isEqualTo("21.4x@1");
    assertThat(s.result.summary.quality).isEqualTo("fd 1.08x pass");
    assertThat(s.progress.display).isEqualTo("100%");
    assertThat(s.completionTime).isEqualTo("2026-11-26T11:59:00Z");
    assertThat(message(s, COMPLETE)).contains("pvc://artifacts/dj/student").contains("sha256:d1");
  }

  @Test
  void aPodThatExitedZeroSucceedsBeforeTheJobIsMarkedComplete() {
    // The pod's status arrives before the Job controller adds Complete: the job must not go back
    // from Running to Retrying ("the Job starts another") for that moment.
    Pod running = pod("p", Statuses.running("10.0.0.5"));
    dj.setStatus(map(obs(active(), List.of(running))));
    assertPhase(dj.getStatus(), Phase.Running, RUNNING);
    PodStatus exited = Statuses.terminated("Succeeded", 0, "Completed", RESULT);
    var s = map(obs(active(), List.of(pod("p", exited))));
    assertPhase(s, Phase.Succeeded, SUCCEEDED);
    assertThat(s.conditions).noneMatch(c -> RETRYING.equals(c.getReason()));
    assertThat(s.result.digest).isEqualTo("sha256:d1");
    assertThat(s.completionTime)
        .isEqualTo(exited.getContainerStatuses().get(0).getState().getTerminated().getFinishedAt());
    // The Job's Complete condition then changes nothing.
    dj.setStatus(s);
    var later =
        map(obs(finished(cond("Complete", "CompletionsReached")), List.of(pod("p", exited))));
    assertThat(later.conditions).isEqualTo(s.conditions);
  }

  @Test
  void malformedOrOversizedResultStillSucceedsButSaysSo() {
    Job done = finished(cond("Complete", "CompletionsReached"));
    for (String bad :
        List.of(
            "not json {", "{\"status\":\"succeeded\",\"x\":\"" + "y".repeat(5000) + "\"}", "")) {
      var s =
          map(obs(done, List.of(pod("p", Statuses.terminated("Succeeded", 0, "Completed", bad)))));
      assertPhase(s, Phase.Succeeded, SUCCEEDED);
      assertThat(s.result).isNull();
      assertThat(message(s, COMPLETE)).contains("no valid result JSON");
    }
  }

  @Test
  void deadlineExceededWins() {
    dj.getSpec().activeDeadlineSeconds = 600L;
    var s =
        map(
            obs(
                finished(cond("Failed", "DeadlineExceeded")),
                List.of(pod("p", Statuses.terminated("Failed", 143, "Error", "")))));
    assertPhase(s, Phase.Failed, DEADLINE_EXCEEDED);
    assertThat(message(s, FAILED)).contains("activeDeadlineSeconds=600");
  }

  @Test
  void gateFailureCarriesTheVerdictAndTheResult() {
    String gate =
        "{\"status\":\"failed\",\"exitCode\":5,\"message\":\"fd ratio 1.9 above 1.2\",\"artifact\":\"/var/lib/distillery/output/dj/student\",\"gate\":{\"passed\":false,\"fdRatio\":1.9,\"maxFdRatio\":1.2}}";
    var s =
        map(
            obs(
                finished(cond("Failed", "PodFailurePolicy")),
                List.of(pod("p", Statuses.terminated("Failed", 5, "Error", gate)))));
    assertPhase(s, Phase.Failed, GATE_FAILED);
    assertThat(message(s, FAILED))
        .contains("quality/speed gate")
        .contains("fd ratio 1.9 above 1.2");
    assertThat(s.result.gate.passed).isFalse();
    assertThat(s.result.summary.quality).isEqualTo("fd 1.90x fail");
  }

  @Test
  void backoffLimitExceededReportsTheLastExit() {
    var pods =
        List.of(
            pod("p1", Statuses.terminated("Failed", 1, "Error", "x")),
            pod("p2", Statuses.terminated("Failed", 1, "Error", "NullPointerException")));
    var s = map(obs(finished(2, cond("Failed", "BackoffLimitExceeded")), pods));
    assertPhase(s, Phase.Failed, BACKOFF_LIMIT_EXCEEDED);
    assertThat(message(s, FAILED)).contains("2 attempt(s)").contains("NullPointerException");
    assertThat(s.attempts).isEqualTo(2);
    assertPhase(
        map(obs(finished(cond("Failed", "BackoffLimitExceeded")), List.of())),
        Phase.Failed,
        BACKOFF_LIMIT_EXCEEDED);
  }

  @Test
  void suspendedAndQueued() {
    dj.getSpec().suspend = true;
    assertPhase(map(obs(suspendedJob(), List.of())), Phase.Suspended, SUSPENDED_REASON);
    dj.getSpec().suspend = false;
    dj.getSpec().queueName = "team-a";
    var s = map(obs(suspendedJob(), List.of()));
    assertPhase(s, Phase.Queued, QUEUED);
    assertThat(message(s, PROGRESSING)).contains("team-a");
  }

  @Test
  void kueueWorkloadsPendingMessageIsShownWhileQueued() {
    dj.getSpec().queueName = "team-a";
    var s =
        map(
            queuedObs(
                workload(
                    "False",
                    "Pending",
                    "couldn't assign flavors to pod set main: insufficient unused quota for"
                        + " nvidia.com/gpu in flavor default-flavor, 4 more needed",
                    null)));
    assertPhase(s, Phase.Queued, QUEUED);
    assertThat(message(s, PROGRESSING))
        .contains("queue team-a")
        .contains("insufficient unused quota for nvidia.com/gpu");
  }

  @Test
  void aMissingLocalQueueIsNamed() {
    dj.getSpec().queueName = "no-such-queue";
    var s =
        map(
            queuedObs(
                workload("False", "Inadmissible", "LocalQueue no-such-queue doesn't exist", null)));
    assertPhase(s, Phase.Queued, LOCAL_QUEUE_MISSING);
    assertThat(message(s, PROGRESSING))
        .contains("LocalQueue no-such-queue is missing in namespace ml");
    // Another queue's problem is not this one's.
    dj.getSpec().queueName = "team-a";
    assertPhase(
        map(
            queuedObs(
                workload("False", "Inadmissible", "LocalQueue team-a-2 doesn't exist", null))),
        Phase.Queued,
        QUEUED);
  }

  @Test
  void aJobKueueEvictsAfterItRanIsPreemptedAndQueuedNeverFailed() {
    dj.getSpec().queueName = "team-a";
    dj.setStatus(map(obs(active(), List.of(pod("dj-1", Statuses.running("10.0.0.5"))))));
    assertThat(dj.getStatus().phase).isEqualTo(Phase.Running);
    String evicted =
        "Preempted to accommodate a workload (UID: u1) due to prioritization in the ClusterQueue";
    var s = map(queuedObs(workload("False", "Pending", "waiting", evicted)));
    assertPhase(s, Phase.Queued, PREEMPTED);
    assertThat(message(s, PROGRESSING))
        .contains("preempted by Kueue")
        .contains(evicted)
        .contains("queue team-a")
        .contains("resumes from its newest checkpoint");
    assertThat(Conditions.isTrue(s.conditions, FAILED)).isFalse();
    // It stays Preempted while it waits, with or without its Workload to read.
    dj.setStatus(s);
    assertPhase(map(obs(suspendedJob(), List.of())), Phase.Queued, PREEMPTED);
  }

  @Test
  void anEvictionIsKnownFromTheWorkloadAloneOrFromTheRunBeforeIt() {
    dj.getSpec().queueName = "team-a";
    assertPhase(
        map(queuedObs(workload("False", "Pending", "waiting", "evicted"))),
        Phase.Queued,
        PREEMPTED);
    // No Workload to read (Kueue's CRDs not installed, or not readable): the run before tells.
    dj.setStatus(map(obs(active(), List.of(pod("dj-1", Statuses.running("10.0.0.5"))))));
    var s = map(obs(suspendedJob(), List.of()));
    assertPhase(s, Phase.Queued, PREEMPTED);
    assertThat(message(s, PROGRESSING)).doesNotContain("Kueue:");
  }

  @Test
  void withoutAWorkloadTheQueuedMessageIsTheGenericOne() {
    dj.getSpec().queueName = "team-a";
    var s = map(obs(suspendedJob(), List.of()));
    assertPhase(s, Phase.Queued, QUEUED);
    assertThat(message(s, PROGRESSING))
        .isEqualTo("waiting for Kueue to admit the trainer Job from queue team-a");
  }

  @Test
  void vanishedJobAfterStartFailsInsteadOfTrainingAgain() {
    dj.setStatus(map(obs(active(), List.of())));
    var s = map(obs(null, List.of()));
    assertPhase(s, Phase.Failed, TRAINER_JOB_DELETED);
  }

  @Test
  void finishedOutcomeIsFinalEvenWhenTheJobIsGone() {
    Job done = finished(cond("Complete", "CompletionsReached"));
    dj.setStatus(
        map(
            obs(
                done,
                List.of(pod("p", Statuses.terminated("Succeeded", 0, "Completed", RESULT))))));
    dj.getMetadata().setGeneration(2L);
    var s = map(obs(null, List.of()));
    assertPhase(s, Phase.Succeeded, SUCCEEDED);
    assertThat(s.result.digest).isEqualTo("sha256:d1");
    assertThat(s.observedGeneration).isEqualTo(2L);
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenAConditionStatusChanges() {
    var first = TrainerStatusMapper.next(dj, obs(job, List.of()), NOW, STALE);
    dj.setStatus(first);
    // Reason and message change (JobCreated -> PodStarting) but Progressing stays True.
    var second =
        TrainerStatusMapper.next(
            dj,
            obs(active(), List.of(pod("p", Statuses.waiting("ContainerCreating", "")))),
            NOW.plusSeconds(30),
            STALE);
    assertThat(cond(second, PROGRESSING).getReason()).isEqualTo(POD_STARTING);
    assertThat(cond(second, PROGRESSING).getLastTransitionTime())
        .isEqualTo(cond(first, PROGRESSING).getLastTransitionTime());
    dj.setStatus(second);
    // Progressing flips to False (Unschedulable): its time moves, Complete's does not.
    var third =
        TrainerStatusMapper.next(
            dj,
            obs(active(), List.of(pod("p", Statuses.unschedulable("no nodes")))),
            NOW.plusSeconds(90),
            STALE);
    assertThat(cond(third, PROGRESSING).getLastTransitionTime()).isEqualTo("2026-11-26T12:01:30Z");
    assertThat(cond(third, COMPLETE).getLastTransitionTime())
        .isEqualTo(cond(first, COMPLETE).getLastTransitionTime());
    assertThat(third.conditions)
        .extracting(Condition::getType)
        .containsExactly(PROGRESSING, SUSPENDED, COMPLETE, FAILED);
  }

  @Test
  void phaseComesFromConditionsNotFromTheirOrder() {
    var s =
        map(
            obs(
                finished(cond("Failed", "PodFailurePolicy")),
                List.of(pod("p", Statuses.terminated("Failed", 4, "Error", "")))));
    var reversed = new java.util.ArrayList<>(s.conditions);
    java.util.Collections.reverse(reversed);
    assertThat(DistillationConditions.phaseOf(reversed)).isEqualTo(Phase.Failed);
  }

  // ---------------------------------------------------------------------------------------------

  DistillationJobStatus map(TrainerObservation o) {
    return TrainerStatusMapper.next(dj, o, NOW, STALE);
  }

  static TrainerObservation obs(Job job, List<Pod> pods) {
    return obs(job, pods, List.of());
  }

  static TrainerObservation obs(Job job, List<Pod> pods, List<String> problems) {
    return new TrainerObservation(job, pods, true, false, problems, null);
  }

  static TrainerObservation obs(Job job, List<Pod> pods, ProgressReading reading) {
    return new TrainerObservation(job, pods, true, false, List.of(), reading);
  }

  TrainerObservation queuedObs(KueueWorkload workload) {
    return new TrainerObservation(
        suspendedJob(), List.of(), true, false, List.of(), null, workload);
  }

  /** A Workload's QuotaReserved condition and, when {@code evicted} is set, Evicted=True. */
  static KueueWorkload workload(String reserved, String reason, String message, String evicted) {
    return new KueueWorkload(
        new KueueWorkload.Condition(reserved, reason, message),
        evicted == null ? null : new KueueWorkload.Condition("True", "Preempted", evicted));
  }

  static ProgressReading progress(String phase, long step, long max, Instant at) {
    TrainerProgress p = new TrainerProgress();
    p.phase = phase;
    p.step = step;
    p.maxSteps = max;
    p.percent = 100.0 * step / max;
    p.losses = Map.of("vm", 0.1, "vd", Double.NaN);
    p.updatedAtMillis = at.toEpochMilli();
    return ProgressReading.of(p);
  }

  Job job(JobState state) {
    return switch (state) {
      case ACTIVE -> active();
      case BACKOFF_LIMIT_EXCEEDED -> finished(cond("Failed", "BackoffLimitExceeded"));
      case POD_FAILURE_POLICY -> finished(cond("Failed", "PodFailurePolicy"));
    };
  }

  Job active() {
    Job j = copy(job);
    j.setStatus(new JobStatusBuilder().withActive(1).withStartTime("2026-11-26T11:00:00Z").build());
    return j;
  }

  Job suspendedJob() {
    Job j = copy(job);
    j.getSpec().setSuspend(true);
    return j;
  }

  Job finished(JobCondition... conditions) {
    return finished(1, conditions);
  }

  Job finished(int failed, JobCondition... conditions) {
    Job j = copy(job);
    j.setStatus(
        new JobStatusBuilder()
            .withFailed(failed)
            .withStartTime("2026-11-26T11:00:00Z")
            .withCompletionTime("2026-11-26T11:59:00Z")
            .withConditions(conditions)
            .build());
    return j;
  }

  static JobCondition cond(String type, String reason) {
    return Statuses.condition(type, reason, type + " because " + reason);
  }

  Pod pod(String name, PodStatus status) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withCreationTimestamp(
            "2026-11-26T11:0" + name.length() + ":" + (name.endsWith("2") ? "30" : "00") + "Z")
        .withOwnerReferences(new OwnerReferenceBuilder().withUid("job-uid").build())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withStatus(status)
        .build();
  }

  static Job copy(Job j) {
    return io.fabric8.kubernetes.client.utils.Serialization.clone(j);
  }

  static Condition cond(DistillationJobStatus s, String type) {
    return Conditions.find(s.conditions, type).orElseThrow();
  }

  static String message(DistillationJobStatus s, String type) {
    return cond(s, type).getMessage();
  }

  static void assertPhase(DistillationJobStatus s, Phase phase, String reason) {
    assertThat(s.phase).as("phase").isEqualTo(phase);
    assertThat(Conditions.reason(s.conditions, PROGRESSING)).as("reason").isEqualTo(reason);
  }

  @Test
  void anUnboundClaimIsNotBlamedOnResources() {
    String hint =
        TrainerStatusMapper.unschedulableHint(
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
    assertThat(hint).contains("claim").doesNotContain("spec.resources");
    assertThat(
            TrainerStatusMapper.unschedulableHint(
                "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."))
        .doesNotContain("spec.resources");
  }
}
