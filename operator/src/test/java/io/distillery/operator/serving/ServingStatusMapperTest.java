package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.EventRecorder;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Source resolution, rollout plan and status (canary verdicts included), without a cluster. */
class ServingStatusMapperTest {
  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  static final String A = Fixtures.digest('a');
  static final String B = Fixtures.digest('b');

  @Test
  void waitsForTheSourceJobWithAReasonPerState() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "shapes";
    assertThat(SourceResolution.of(sd, null).reason())
        .isEqualTo(StudentConditions.SOURCE_NOT_FOUND);
    DistillationJob dj = Fixtures.distillationJob("shapes");
    assertThat(SourceResolution.of(sd, dj).reason())
        .isEqualTo(StudentConditions.SOURCE_NOT_SUCCEEDED);
    dj.setStatus(succeeded("pvc://artifacts/shapes/student", B, false));
    assertThat(SourceResolution.of(sd, dj).reason())
        .isEqualTo(StudentConditions.SOURCE_GATE_FAILED);
    dj.setStatus(succeeded("/opt/model", B, true));
    assertThat(SourceResolution.of(sd, dj).reason()).isEqualTo(StudentConditions.SOURCE_INVALID);
    dj.setStatus(succeeded("pvc://artifacts/shapes/student", B, true));
    SourceResolution ok = SourceResolution.of(sd, dj);
    assertThat(ok.ready()).isTrue();
    assertThat(ok.model().digest()).isEqualTo(B);
    assertThat(ok.model().speedup()).isEqualTo("21.4x@1");

    // Nothing served yet: no Deployment, phase Pending with the reason.
    sd.getSpec().source.distillationJobRef = "missing";
    var status = next(sd, SourceResolution.of(sd, null), null, null, T0);
    assertThat(status.phase).isEqualTo(StudentPhase.Pending);
    assertThat(Conditions.reason(status.conditions, StudentConditions.SOURCE_READY))
        .isEqualTo(StudentConditions.SOURCE_NOT_FOUND);
  }

  @Test
  void aFailedSourceJobIsAWarningThatSaysWhatToDo() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "shapes";
    DistillationJob dj = Fixtures.distillationJob("shapes");
    dj.setStatus(new DistillationJobStatus());
    dj.getStatus().phase = Phase.Failed;
    dj.getStatus().conditions =
        Conditions.with(
            null,
            "Failed",
            true,
            "OOMKilled",
            "the trainer ran out of memory (OOMKilled) on attempt 4; raise spec.resources.memory",
            1,
            T0);
    SourceResolution source = SourceResolution.of(sd, dj);
    assertThat(source.reason()).isEqualTo(StudentConditions.SOURCE_FAILED);
    assertThat(source.message())
        .contains("DistillationJob shapes failed")
        .contains("OOMKilled")
        .contains("spec.source")
        .doesNotContain("waiting");
    var status = next(sd, source, null, null, T0);
    var event = RolloutEvents.transition(null, status).orElseThrow();
    assertThat(event.type()).isEqualTo(EventRecorder.WARNING);
    assertThat(event.reason()).isEqualTo(StudentConditions.SOURCE_FAILED);
    assertThat(event.message()).contains("DistillationJob shapes failed");
  }

  @Test
  void rollingUpdateRecordsThePreviousDigestAndKeepsTransitionTimesWhenNothingChanged() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    SourceResolution source = SourceResolution.of(sd, null);
    var s1 = next(sd, source, null, null, T0);
    assertThat(s1.phase).isEqualTo(StudentPhase.Progressing);
    sd.setStatus(s1);
    var s2 = next(sd, source, rolledOut(sd, A, 3), null, T0.plusSeconds(5));
    assertThat(s2.phase).isEqualTo(StudentPhase.Available);
    assertThat(s2.ready).isEqualTo("3/3");
    sd.setStatus(s2);
    var s3 = next(sd, source, rolledOut(sd, A, 3), null, T0.plusSeconds(60));
    assertThat(s3.conditions).isEqualTo(s2.conditions);

    sd.getSpec().source.digest = B;
    var s4 = next(sd, SourceResolution.of(sd, null), rolledOut(sd, A, 3), null, T0.plusSeconds(70));
    assertThat(s4.currentDigest).isEqualTo(B);
    assertThat(s4.previousDigest).isEqualTo(A);
    assertThat(s4.phase).isEqualTo(StudentPhase.Progressing);
    assertThat(Conditions.reason(s4.conditions, StudentConditions.PROGRESSING))
        .isEqualTo(StudentConditions.ROLLING_UPDATE);
  }

  @Test
  void canaryIsPromotedAfterAQuietWindowAndRolledBackOnErrors() {
    StudentDeployment sd = servingACanary();
    RolloutPlan plan = RolloutPlan.of(sd, SourceResolution.of(sd, null));
    assertThat(plan.stable().digest()).isEqualTo(A);
    assertThat(plan.canary().digest()).isEqualTo(B);

    Deployment canary = rolledOut(sd, B, 1);
    var started = next(sd, canary, new RequestCounts(100, 0), T0);
    assertThat(started.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    assertThat(started.phase).isEqualTo(StudentPhase.Progressing);
    sd.setStatus(started);
    var middle = next(sd, canary, new RequestCounts(150, 0), T0.plusSeconds(5));
    assertThat(middle.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    assertThat(middle.canary.requests).isEqualTo(50);

    StudentDeployment good = Fixtures.studentDeployment("s", B);
    good.setSpec(sd.getSpec());
    good.setStatus(middle);
    var promoted = next(good, canary, new RequestCounts(300, 1), T0.plusSeconds(31));
    assertThat(promoted.canary.state).isEqualTo(StudentConditions.CANARY_PROMOTED);
    assertThat(promoted.currentDigest).isEqualTo(B);
    assertThat(promoted.previousDigest).isEqualTo(A);
    good.setStatus(promoted);
    assertThat(RolloutPlan.of(good, SourceResolution.of(good, null)).canary()).isNull();

    sd.setStatus(middle);
    var bad = next(sd, canary, new RequestCounts(300, 20), T0.plusSeconds(31));
    assertThat(bad.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(bad.canary.message).contains("error rate 0.1000");
    assertThat(bad.currentDigest).isEqualTo(A);
    assertThat(bad.phase).isEqualTo(StudentPhase.RolledBack);
    sd.setStatus(bad);
    // The rejected digest stays out until the source changes.
    assertThat(RolloutPlan.of(sd, SourceResolution.of(sd, null)).canary()).isNull();
  }

  @Test
  void canaryThatNeverBecomesReadyIsRolledBackAtTheDeadline() {
    StudentDeployment sd = servingACanary();
    sd.getSpec().rollout.progressDeadlineSeconds = 20;
    var started = next(sd, null, new RequestCounts(0, 0), T0);
    assertThat(started.canary.state).isEqualTo(StudentConditions.CANARY_PROGRESSING);
    sd.setStatus(started);
    var late = next(sd, null, new RequestCounts(0, 0), T0.plusSeconds(21));
    assertThat(late.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(late.canary.message).contains("progressDeadlineSeconds");
    assertThat(late.phase).isEqualTo(StudentPhase.RolledBack);
  }

  @Test
  void canaryIsSupersededWhenTheSourceStopsBeingReadyBeforeAVerdict() {
    StudentDeployment sd = servingACanary();
    sd.setStatus(next(sd, rolledOut(sd, B, 1), new RequestCounts(0, 0), T0));
    assertThat(sd.getStatus().canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "shapes-v3";
    var s = next(sd, SourceResolution.of(sd, null), rolledOut(sd, A, 3), null, T0.plusSeconds(1));
    assertThat(s.canary.state).isEqualTo(StudentConditions.CANARY_SUPERSEDED);
    assertThat(s.currentDigest).isEqualTo(A);
    assertThat(s.phase).isEqualTo(StudentPhase.Available);
    assertThat(Conditions.reason(s.conditions, StudentConditions.PROGRESSING))
        .isEqualTo(StudentConditions.WAITING_FOR_SOURCE);
  }

  @Test
  void aServedModelWhosePodLosesReadinessIsDegradedWithAWarningAndOneCompletedRollout() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    SourceResolution source = SourceResolution.of(sd, null);
    List<StudentDeploymentStatus> seen = new ArrayList<>();
    seen.add(null);
    seen.add(next(sd, source, null, null, T0));
    sd.setStatus(seen.get(1));
    seen.add(next(sd, source, rolledOut(sd, A, 3), null, T0.plusSeconds(5)));
    sd.setStatus(seen.get(2));
    assertThat(sd.getStatus().phase).isEqualTo(StudentPhase.Available);

    var degraded = next(sd, source, withReady(rolledOut(sd, A, 3), 2), null, T0.plusSeconds(60));
    assertThat(degraded.phase).isEqualTo(StudentPhase.Degraded);
    assertThat(Conditions.reason(degraded.conditions, StudentConditions.PROGRESSING))
        .isEqualTo(StudentConditions.ROLLOUT_COMPLETE);
    assertThat(Conditions.find(degraded.conditions, StudentConditions.AVAILABLE).get().getMessage())
        .isEqualTo("2/3 serving pods ready");
    seen.add(degraded);
    sd.setStatus(degraded);
    seen.add(next(sd, source, rolledOut(sd, A, 3), null, T0.plusSeconds(90)));
    sd.setStatus(seen.get(4));
    assertThat(sd.getStatus().phase).isEqualTo(StudentPhase.Available);
    seen.add(next(sd, source, withReady(rolledOut(sd, A, 3), 1), null, T0.plusSeconds(120)));
    sd.setStatus(seen.get(5));
    seen.add(next(sd, source, rolledOut(sd, A, 3), null, T0.plusSeconds(150)));

    List<String> outcomes = new ArrayList<>();
    List<RolloutEvents.Transition> events = new ArrayList<>();
    for (int i = 1; i < seen.size(); i++) {
      RolloutEvents.outcome(seen.get(i - 1), seen.get(i))
          .map(RolloutEvents.Outcome::outcome)
          .ifPresent(outcomes::add);
      RolloutEvents.transition(seen.get(i - 1), seen.get(i)).ifPresent(events::add);
    }
    assertThat(outcomes).containsExactly("completed");
    // One event per transition, each under its own name (a reused name is never written).
    assertThat(events).hasSize(6);
    assertThat(events).extracting(RolloutEvents.Transition::key).doesNotHaveDuplicates();
    var lost = events.get(2);
    assertThat(lost.type()).isEqualTo(EventRecorder.WARNING);
    assertThat(lost.reason()).isEqualTo(StudentConditions.REPLICAS_NOT_READY);
    assertThat(lost.message()).isEqualTo("Degraded: 2/3 serving pods ready");
    assertThat(events.get(3).type()).isEqualTo(EventRecorder.NORMAL);
    assertThat(events.get(3).message()).startsWith("Available: ");
  }

  private static Deployment withReady(Deployment d, int ready) {
    d.getStatus().setReadyReplicas(ready);
    return d;
  }

  /** Serves A (rolled out), canary strategy, spec now asks for B. */
  private static StudentDeployment servingACanary() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    sd.getSpec().rollout.analysis = new RolloutSpec.AnalysisSpec();
    sd.getSpec().rollout.analysis.windowSeconds = 30;
    sd.getSpec().rollout.analysis.maxErrorRate = 0.05;
    sd.setStatus(next(sd, SourceResolution.of(sd, null), rolledOut(sd, A, 3), null, T0));
    sd.getSpec().source.digest = B;
    return sd;
  }

  private static StudentDeploymentStatus next(
      StudentDeployment sd, Deployment canary, RequestCounts counts, Instant now) {
    SourceResolution source = SourceResolution.of(sd, null);
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(
            source,
            RolloutPlan.of(sd, source),
            rolledOut(sd, A, 3),
            canary,
            () -> Optional.of(counts)),
        now);
  }

  private static StudentDeploymentStatus next(
      StudentDeployment sd,
      SourceResolution source,
      Deployment stable,
      Deployment canary,
      Instant now) {
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(source, RolloutPlan.of(sd, source), stable, canary, Optional::empty),
        now);
  }

  private static Deployment rolledOut(StudentDeployment sd, String digest, int replicas) {
    var model = new ServedModel("pvc://artifacts/m", digest, null, null);
    Deployment d = ServingDeployments.stable(sd, model, OperatorSettings.defaults());
    d.getSpec().setReplicas(replicas);
    d.getMetadata().setGeneration(1L);
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(1L)
            .withReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withReadyReplicas(replicas)
            .build());
    return d;
  }

  private static DistillationJobStatus succeeded(String artifact, String digest, boolean passed) {
    DistillationJobStatus s = new DistillationJobStatus();
    s.phase = passed ? Phase.Succeeded : Phase.Failed;
    s.result = new ResultStatus();
    s.result.artifact = artifact;
    s.result.digest = digest;
    s.result.gate = new ResultStatus.GateStatus();
    s.result.gate.passed = passed;
    s.result.summary = new ResultStatus.Summary();
    s.result.summary.bestSpeedup = "21.4x@1";
    return s;
  }
}
