package io.distillery.operator.serving;

import static io.distillery.operator.serving.ServingStatusMapperTest.A;
import static io.distillery.operator.serving.ServingStatusMapperTest.B;
import static io.distillery.operator.serving.ServingStatusMapperTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.CanaryProbeReport;
import io.distillery.operator.api.v1alpha1.AnalysisFailure;
import io.distillery.operator.api.v1alpha1.CanaryQualitySpec;
import io.distillery.operator.api.v1alpha1.CanaryQualityStatus;
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
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Canary verdicts on output quality (the probe's report), latency and error rate together, and a
 * paused canary's manual decision, without a cluster (ServingStatusMapper and RolloutEvents).
 */
class CanaryAnalysisTest {
  static final int WINDOW = 30;

  /** What the reconciler would observe in one reconcile. */
  record Seen(RequestCounts counts, CanaryLatency latency, ProbeOutcome probe, Deployment canary) {}

  @Test
  void promotesWithEveryFigureWithinItsThresholdAndReportsThemAll() {
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    var running = analysing(sd);
    assertThat(running.canary.quality.probeJob).isEqualTo("s-probe-bbbbbbbb");
    sd.setStatus(running);

    var middle =
        next(sd, seen(120, 0, latency(100, 0.1, 100, 0.1), report(0.03, 0.9, 0.88, 1.1)), 10);
    assertThat(middle.canary.quality.state).isEqualTo(CanaryQualityStatus.MEASURED);
    assertThat(middle.canary.quality.emptyRate).isEqualTo(0.03);
    assertThat(middle.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    sd.setStatus(middle);

    var done = next(sd, seen(200, 0, latency(100, 0.1, 100, 0.1), null), WINDOW + 1);
    assertThat(done.canary.state).isEqualTo(StudentConditions.CANARY_PROMOTED);
    assertThat(done.canary.reason).isEqualTo("passed");
    assertThat(done.currentDigest).isEqualTo(B);
    assertThat(done.canary.message)
        .contains("error rate 0.0000 over 100 requests")
        .contains("empty rate 0.03")
        .contains("accuracy drop 0.02")
        .contains("distance ratio 1.10")
        .contains("p99 latency ratio 1.00");
    assertThat(done.canary.latency.ratio).isEqualTo(1.0);
    assertThat(CanaryVerdict.figureValues(done.canary))
        .containsOnlyKeys(
            "errorRate", "emptyRate", "accuracyDrop", "distanceRatio", "latencyRatio");
    var outcome = RolloutEvents.outcome(middle, done).orElseThrow();
    assertThat(outcome).isEqualTo(new RolloutEvents.Outcome("promoted", "passed", true));
  }

  @Test
  void rollsBackNamingEachFigureAboveItsThreshold() {
    assertRolledBack(
        report(0.62, 0.9, 0.88, 1.1),
        latency(100, 0.1, 100, 0.1),
        "empty_rate",
        "canary empty rate 0.62 above maxEmptyRate 0.2 (32 probes)");
    assertRolledBack(
        report(0.05, 0.9, 0.5, 1.1),
        latency(100, 0.1, 100, 0.1),
        "accuracy_drop",
        "class accuracy drop 0.40 (stable 0.90, canary 0.50) above maxAccuracyDrop 0.15");
    assertRolledBack(
        report(0.05, 0.9, 0.88, 4.2),
        latency(100, 0.1, 100, 0.1),
        "distance_ratio",
        "distance ratio 4.20 above maxDistanceRatio 1.5");
    assertRolledBack(
        report(0.05, 0.9, 0.88, 1.1),
        latency(100, 2.0, 100, 0.1),
        "latency_ratio",
        "above maxLatencyRatio 1.5");
  }

  @Test
  void aServerErrorRateAboveTheGateStillRollsBackWithoutWaitingForTheProbe() {
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    sd.setStatus(analysing(sd));
    var done = next(sd, seen(200, 50, latency(100, 0.1, 100, 0.1), null), WINDOW + 1);
    assertThat(done.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(done.canary.reason).isEqualTo("error_rate");
    assertThat(done.canary.message).contains("error rate 0.5000");
  }

  @Test
  void anInconclusiveProbeNeverPromotes() {
    // The report says it could not measure.
    CanaryProbeReport inconclusive = new CanaryProbeReport();
    inconclusive.status = CanaryProbeReport.INCONCLUSIVE;
    inconclusive.message = "stable unreachable: connection refused";
    assertInconclusive(new ProbeOutcome(inconclusive, null), "stable unreachable");
    // The pod failed without one.
    assertInconclusive(
        new ProbeOutcome(null, "probe pod p exited 2 (Error) without a report"), "exited 2");

    // No report at all: the verdict waits 30 s past the window, then is inconclusive.
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    sd.setStatus(analysing(sd));
    var waiting = next(sd, seen(200, 0, latency(100, 0.1, 100, 0.1), null), WINDOW + 29);
    assertThat(waiting.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    sd.setStatus(waiting);
    var late = next(sd, seen(200, 0, latency(100, 0.1, 100, 0.1), null), WINDOW + 31);
    assertThat(late.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(late.canary.reason).isEqualTo("inconclusive");
    assertThat(late.canary.message).contains("no probe report within windowSeconds + 30 s");
    assertThat(late.currentDigest).isEqualTo(A);
  }

  @Test
  void latencyIsNotJudgedBelowMinLatencyRequestsAndTheVerdictSaysSo() {
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    sd.setStatus(analysing(sd));
    sd.setStatus(
        next(sd, seen(150, 0, latency(5, 9.0, 100, 0.1), report(0.03, 0.9, 0.88, 1.1)), 5));
    var done = next(sd, seen(200, 0, latency(5, 9.0, 100, 0.1), null), WINDOW + 1);
    assertThat(done.canary.state).isEqualTo(StudentConditions.CANARY_PROMOTED);
    assertThat(done.canary.latency.ratio).isNull();
    assertThat(done.canary.message)
        .contains(
            "latency not judged: 5 canary and 100 stable user requests in the window, fewer than"
                + " minLatencyRequests 20");
  }

  @Test
  void pauseKeepsTheCanaryPastTheDeadlineUntilAnAnnotationPromotesIt() {
    StudentDeployment sd = servingACanary(AnalysisFailure.Pause);
    sd.setStatus(analysing(sd));
    var paused =
        next(
            sd,
            seen(200, 0, latency(100, 0.1, 100, 0.1), report(0.62, 0.9, 0.88, 1.1)),
            WINDOW + 1);
    assertThat(paused.canary.state).isEqualTo(StudentConditions.CANARY_PAUSED);
    assertThat(paused.canary.reason).isEqualTo("empty_rate");
    assertThat(paused.phase).isEqualTo(StudentPhase.Progressing);
    var progressing =
        Conditions.find(paused.conditions, StudentConditions.PROGRESSING).orElseThrow();
    assertThat(progressing.getReason()).isEqualTo(StudentConditions.PAUSED);
    assertThat(progressing.getMessage())
        .contains("canary empty rate 0.62 above maxEmptyRate 0.2")
        .contains("distillery.io/canary-decision=promote");
    assertThat(RolloutEvents.outcome(sd.getStatus(), paused).orElseThrow())
        .isEqualTo(new RolloutEvents.Outcome("paused", "empty_rate", true));
    var event = RolloutEvents.transition(sd.getStatus(), paused).orElseThrow();
    assertThat(event.type()).isEqualTo(EventRecorder.WARNING);
    assertThat(event.message()).contains("empty rate 0.62");
    sd.setStatus(paused);

    // Well past progressDeadlineSeconds (120): still paused, the canary still planned.
    var later = next(sd, seen(300, 0, null, null), 1000);
    assertThat(later.canary.state).isEqualTo(StudentConditions.CANARY_PAUSED);
    assertThat(RolloutPlan.of(sd, SourceResolution.of(sd, null)).canary().digest()).isEqualTo(B);
    sd.setStatus(later);

    decide(sd, "promote");
    var promoted = next(sd, seen(300, 0, null, null), 1010);
    assertThat(promoted.canary.state).isEqualTo(StudentConditions.CANARY_PROMOTED);
    assertThat(promoted.canary.reason).isEqualTo("manual");
    assertThat(promoted.canary.message)
        .contains("distillery.io/canary-decision=promote (set by kubectl-annotate)")
        .contains("empty rate 0.62");
    assertThat(promoted.currentDigest).isEqualTo(B);
    assertThat(RolloutEvents.outcome(later, promoted).orElseThrow())
        .isEqualTo(new RolloutEvents.Outcome("promoted", "manual", true));
  }

  @Test
  void aPausedCanaryIsRolledBackByTheAnnotationAndOnlyAPausedOneActsOnIt() {
    StudentDeployment sd = servingACanary(AnalysisFailure.Pause);
    sd.setStatus(analysing(sd));
    // Set while analysing: not acted on (the reconciler removes it).
    decide(sd, "rollback");
    var stillAnalysing = next(sd, seen(150, 0, null, null), 5);
    assertThat(stillAnalysing.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    sd.getMetadata().getAnnotations().remove(CanaryDecision.ANNOTATION);
    sd.setStatus(stillAnalysing);
    var paused =
        next(
            sd,
            seen(200, 0, latency(100, 0.1, 100, 0.1), report(0.03, 0.9, 0.88, 4.2)),
            WINDOW + 1);
    assertThat(paused.canary.state).isEqualTo(StudentConditions.CANARY_PAUSED);
    sd.setStatus(paused);
    decide(sd, "maybe");
    assertThat(next(sd, seen(200, 0, null, null), 100).canary.state)
        .isEqualTo(StudentConditions.CANARY_PAUSED);
    decide(sd, "rollback");
    var back = next(sd, seen(200, 0, null, null), 110);
    assertThat(back.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(back.canary.message)
        .contains("by distillery.io/canary-decision=rollback")
        .contains("distance ratio 4.20 above maxDistanceRatio 1.5");
    assertThat(back.currentDigest).isEqualTo(A);
    assertThat(back.phase).isEqualTo(StudentPhase.RolledBack);
    assertThat(RolloutEvents.outcome(paused, back).orElseThrow())
        .isEqualTo(new RolloutEvents.Outcome("rolled_back", "manual", true));
  }

  private static void assertRolledBack(
      Object probe, CanaryLatency end, String reason, String message) {
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    sd.setStatus(analysing(sd));
    sd.setStatus(next(sd, seen(150, 0, null, probe), 5));
    var done = next(sd, seen(200, 0, end, null), WINDOW + 1);
    assertThat(done.canary.state).as(reason).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(done.canary.reason).isEqualTo(reason);
    assertThat(done.canary.message).contains(message);
    // The message says the error rate passed: without the other figure it would have promoted.
    assertThat(done.canary.message)
        .contains("error rate 0.0000 over 100 requests within maxErrorRate");
    assertThat(done.currentDigest).isEqualTo(A);
    assertThat(done.phase).isEqualTo(StudentPhase.RolledBack);
    var event = RolloutEvents.transition(sd.getStatus(), done).orElseThrow();
    assertThat(event.reason()).isEqualTo(StudentConditions.ROLLED_BACK);
    assertThat(event.message()).contains(message);
    assertThat(RolloutEvents.outcome(sd.getStatus(), done).orElseThrow())
        .isEqualTo(new RolloutEvents.Outcome("rolled_back", reason, true));
  }

  private static void assertInconclusive(ProbeOutcome probe, String message) {
    StudentDeployment sd = servingACanary(AnalysisFailure.Rollback);
    sd.setStatus(analysing(sd));
    sd.setStatus(next(sd, seen(150, 0, null, probe), 5));
    assertThat(sd.getStatus().canary.quality.state).isEqualTo(CanaryQualityStatus.INCONCLUSIVE);
    var done = next(sd, seen(200, 0, latency(100, 0.1, 100, 0.1), null), WINDOW + 1);
    assertThat(done.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(done.canary.reason).isEqualTo("inconclusive");
    assertThat(done.canary.message).contains("probe inconclusive").contains(message);
    assertThat(done.currentDigest).isEqualTo(A);
  }

  /** Analysing from T0, the probe Job created (as the reconciler does), baselines recorded. */
  private static StudentDeploymentStatus analysing(StudentDeployment sd) {
    var started = next(sd, seen(100, 0, latency(0, 0.1, 0, 0.1), null), 0);
    assertThat(started.canary.state).isEqualTo(StudentConditions.CANARY_ANALYSING);
    assertThat(started.canary.quality.state).isEqualTo(CanaryQualityStatus.PENDING);
    assertThat(started.canary.latency.canaryBaseline).isNotNull();
    started.canary.quality.state = CanaryQualityStatus.RUNNING;
    return started;
  }

  /** Serves A, canary strategy with every gate; the spec now asks for B. */
  static StudentDeployment servingACanary(AnalysisFailure onFailure) {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    sd.getSpec().rollout.progressDeadlineSeconds = 120;
    var a = new RolloutSpec.AnalysisSpec();
    a.windowSeconds = WINDOW;
    a.maxErrorRate = 0.05;
    a.maxLatencyRatio = 1.5;
    a.onFailure = onFailure;
    a.quality = new CanaryQualitySpec();
    sd.getSpec().rollout.analysis = a;
    SourceResolution source = SourceResolution.of(sd, null);
    sd.setStatus(
        ServingStatusMapper.next(
            sd,
            new ServingObservation(
                source, RolloutPlan.of(sd, source), rolledOut(sd, A, 3), null, Optional::empty),
            T0));
    sd.getSpec().source.digest = B;
    return sd;
  }

  private static void decide(StudentDeployment sd, String value) {
    Map<String, String> annotations = new HashMap<>();
    annotations.put(CanaryDecision.ANNOTATION, value);
    sd.getMetadata().setAnnotations(annotations);
    FieldsV1 fields = new FieldsV1();
    fields.setAdditionalProperty(
        "f:metadata", Map.of("f:annotations", Map.of("f:" + CanaryDecision.ANNOTATION, Map.of())));
    sd.getMetadata()
        .setManagedFields(
            java.util.List.of(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl-annotate")
                    .withOperation("Update")
                    .withFieldsV1(fields)
                    .build()));
  }

  static Seen seen(long requests, long errors, CanaryLatency latency, Object probe) {
    ProbeOutcome outcome =
        probe instanceof ProbeOutcome o
            ? o
            : probe instanceof CanaryProbeReport r ? new ProbeOutcome(r, null) : null;
    return new Seen(new RequestCounts(requests, errors), latency, outcome, null);
  }

  static StudentDeploymentStatus next(StudentDeployment sd, Seen seen, int secondsAfterT0) {
    SourceResolution source = SourceResolution.of(sd, null);
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(
            source,
            RolloutPlan.of(sd, source),
            rolledOut(sd, A, 3),
            rolledOut(sd, B, 1),
            () -> Optional.of(seen.counts()),
            () -> Optional.ofNullable(seen.latency()),
            () -> Optional.ofNullable(seen.probe())),
        T0.plusSeconds(secondsAfterT0));
  }

  /** A measured report: the canary's empty rate and accuracy against the stable model's. */
  static CanaryProbeReport report(
      double emptyRate, double stableAccuracy, double accuracy, double distanceRatio) {
    CanaryProbeReport r = new CanaryProbeReport();
    r.status = CanaryProbeReport.MEASURED;
    r.message = "32 probes measured";
    r.probes = 32;
    r.features = "classifier";
    r.distanceRatio = distanceRatio;
    r.canary = new CanaryProbeReport.Side();
    r.canary.samples = 32;
    r.canary.emptyRate = emptyRate;
    r.canary.classAccuracy = accuracy;
    r.stable = new CanaryProbeReport.Side();
    r.stable.samples = 64;
    r.stable.emptyRate = 0.02;
    r.stable.classAccuracy = stableAccuracy;
    return r;
  }

  /** Both tracks' histograms: {@code n} requests of {@code seconds} each on either side. */
  static CanaryLatency latency(long canaryN, double canaryS, long stableN, double stableS) {
    return new CanaryLatency(histogram(canaryN, canaryS), histogram(stableN, stableS));
  }

  private static LatencyHistogram histogram(long n, double seconds) {
    Map<Double, Long> cumulative = new HashMap<>();
    for (double le : new double[] {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}) {
      cumulative.put(le, seconds <= le ? n : 0L);
    }
    cumulative.put(Double.POSITIVE_INFINITY, n);
    return LatencyHistogram.of(cumulative);
  }

  static Deployment rolledOut(StudentDeployment sd, String digest, int replicas) {
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
}
