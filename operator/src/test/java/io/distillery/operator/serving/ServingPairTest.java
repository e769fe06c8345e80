package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.PairDigest;
import io.distillery.operator.api.v1alpha1.AppearanceSourceSpec;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A StudentDeployment serving a structure and an appearance stage from two sources: resolution
 * (waiting reasons included), the pair as one version in the rollout plan, canary and rollback, and
 * the pod template's mounts and arguments. Without a cluster.
 */
class ServingPairTest {
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  static final String S1 = Fixtures.digest('1');
  static final String A1 = Fixtures.digest('2');
  static final String A2 = Fixtures.digest('3');

  @Test
  void twoJobsResolveToOnePairWithBothStages() {
    StudentDeployment sd = fromJobs();
    DistillationJob s = job("chairs", Stage.STRUCTURE, "pvc://artifacts/chairs/student", S1);
    DistillationJob a = job("chairs-rgb", Stage.APPEARANCE, "pvc://colours/rgb/student", A1);
    SourceResolution r = SourceResolution.of(sd, s, a);
    assertThat(r.ready()).isTrue();
    assertThat(r.model().digest()).isEqualTo(PairDigest.of(S1, A1));
    assertThat(r.model().uri()).isEqualTo("pvc://artifacts/chairs/student");
    assertThat(r.model().stages())
        .extracting(x -> x.stage + " " + x.source + " " + x.model + " " + x.digest)
        .containsExactly(
            "structure chairs pvc://artifacts/chairs/student " + S1,
            "appearance chairs-rgb pvc://colours/rgb/student " + A1);
    assertThat(r.model().display()).startsWith("chairs+chairs-rgb@sha256:d06075f");
    assertThat(r.message()).contains("pair digest " + PairDigest.of(S1, A1));
  }

  @Test
  void aPairWaitsForEachStageWithAReasonNamingIt() {
    StudentDeployment sd = fromJobs();
    DistillationJob s = job("chairs", Stage.STRUCTURE, "pvc://artifacts/chairs/student", S1);
    DistillationJob a = job("chairs-rgb", Stage.APPEARANCE, "pvc://colours/rgb/student", A1);

    SourceResolution missing = SourceResolution.of(sd, s, null);
    assertThat(missing.reason()).isEqualTo(StudentConditions.SOURCE_NOT_FOUND);
    assertThat(missing.message()).startsWith("appearance stage: DistillationJob chairs-rgb");

    DistillationJob running = job("chairs-rgb", Stage.APPEARANCE, null, null);
    running.getStatus().phase = Phase.Running;
    assertThat(SourceResolution.of(sd, s, running).reason())
        .isEqualTo(StudentConditions.SOURCE_NOT_SUCCEEDED);

    DistillationJob structureAsAppearance =
        job("chairs-rgb", Stage.STRUCTURE, "pvc://colours/rgb/student", A1);
    SourceResolution wrong = SourceResolution.of(sd, s, structureAsAppearance);
    assertThat(wrong.reason()).isEqualTo(StudentConditions.SOURCE_WRONG_STAGE);
    assertThat(wrong.message())
        .contains("chairs-rgb distills the structure stage")
        .contains("spec.source.appearance.distillationJobRef")
        .contains("spec.stage: appearance");

    DistillationJob appearanceAsStructure =
        job("chairs", Stage.APPEARANCE, "pvc://artifacts/chairs/student", S1);
    SourceResolution swapped = SourceResolution.of(sd, appearanceAsStructure, a);
    assertThat(swapped.reason()).isEqualTo(StudentConditions.SOURCE_WRONG_STAGE);
    assertThat(swapped.message()).contains("spec.stage: structure").contains("swapped");
    assertThat(StudentConditions.SOURCE_BLOCKED).contains(StudentConditions.SOURCE_WRONG_STAGE);
  }

  @Test
  void anAppearanceJobAloneWaitsSayingToPairIt() {
    StudentDeployment sd = Fixtures.studentDeployment("s", S1);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "chairs-rgb";
    DistillationJob a = job("chairs-rgb", Stage.APPEARANCE, "pvc://colours/rgb/student", A1);
    SourceResolution r = SourceResolution.of(sd, a);
    assertThat(r.reason()).isEqualTo(StudentConditions.SOURCE_WRONG_STAGE);
    assertThat(r.message()).contains("cannot be served alone").contains("spec.source.appearance");
  }

  @Test
  void onlyTheAppearanceChangingIsANewVersionThatCanariesAndRollsBackAsAPair() {
    StudentDeployment sd = fromUris(A1);
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    sd.getSpec().rollout.analysis = new RolloutSpec.AnalysisSpec();
    sd.getSpec().rollout.analysis.windowSeconds = 30;
    sd.getSpec().rollout.analysis.maxErrorRate = 0.05;
    String v1 = PairDigest.of(S1, A1);
    String v2 = PairDigest.of(S1, A2);
    sd.setStatus(next(sd, rolledOut(sd, v1), null, new RequestCounts(0, 0), T0));
    assertThat(sd.getStatus().currentDigest).isEqualTo(v1);
    assertThat(sd.getStatus().stages).extracting(x -> x.digest).containsExactly(S1, A1);

    sd.getSpec().source.appearance.modelUri = "pvc://colours/rgb-v2/student";
    sd.getSpec().source.appearance.digest = A2;
    RolloutPlan plan = RolloutPlan.of(sd, SourceResolution.of(sd, null, null));
    assertThat(plan.canary().digest()).isEqualTo(v2);
    assertThat(plan.canary().appearanceLocalPath())
        .isEqualTo(ServedModel.APPEARANCE_MOUNT + "/rgb-v2/student");
    // The stable pods keep the whole current pair, the old appearance stage included.
    assertThat(plan.stable().digest()).isEqualTo(v1);
    assertThat(plan.stable().appearanceLocalPath())
        .isEqualTo(ServedModel.APPEARANCE_MOUNT + "/rgb/student");
    assertThat(ServingDeployments.stable(sd, plan.stable(), OperatorSettings.defaults()))
        .isEqualTo(ServingDeployments.stable(sd, RolloutPlan.current(sd.getStatus()), settings()));

    Deployment canary = rolledOut(sd, v2);
    var started = next(sd, rolledOut(sd, v1), canary, new RequestCounts(100, 0), T0);
    assertThat(started.canary.digest).isEqualTo(v2);
    assertThat(started.canary.stages).extracting(x -> x.digest).containsExactly(S1, A2);
    sd.setStatus(started);
    var bad = next(sd, rolledOut(sd, v1), canary, new RequestCounts(300, 30), T0.plusSeconds(31));
    assertThat(bad.canary.state).isEqualTo(StudentConditions.CANARY_ROLLED_BACK);
    assertThat(bad.phase).isEqualTo(StudentPhase.RolledBack);
    assertThat(bad.currentDigest).isEqualTo(v1);
    assertThat(bad.stages).extracting(x -> x.digest).containsExactly(S1, A1);
    sd.setStatus(bad);
    RolloutPlan after = RolloutPlan.of(sd, SourceResolution.of(sd, null, null));
    assertThat(after.canary()).isNull();
    assertThat(after.stable().digest()).isEqualTo(v1);
    assertThat(after.stable().appearance().stage().uri()).isEqualTo("pvc://colours/rgb/student");
  }

  @Test
  void thePodsGetBothStagesMountedReadOnlyAndBothArguments() {
    StudentDeployment sd = fromUris(A1);
    ServedModel pair = SourceResolution.of(sd, null, null).model();
    Deployment d = ServingDeployments.stable(sd, pair, settings());
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSequence("--model", StudentNames.MODEL_MOUNT + "/chairs/student")
        .containsSequence("--appearance", ServedModel.APPEARANCE_MOUNT + "/rgb/student");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(Volume::getName, v -> v.getPersistentVolumeClaim().getClaimName())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("model", "artifacts"),
            org.assertj.core.groups.Tuple.tuple("appearance", "colours"));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .allMatch(v -> v.getPersistentVolumeClaim().getReadOnly());
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> m.getName().equals("appearance"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsValue(PairDigest.of(S1, A1));

    // Both stages on one claim: one volume, the appearance beside the structure.
    sd.getSpec().source.appearance.modelUri = "pvc://artifacts/rgb/student";
    ServedModel same = SourceResolution.of(sd, null, null).model();
    var one = ServingDeployments.stable(sd, same, settings()).getSpec().getTemplate().getSpec();
    assertThat(one.getVolumes()).extracting(Volume::getName).containsExactly("model", "tmp");
    assertThat(one.getContainers().get(0).getArgs())
        .containsSequence("--appearance", StudentNames.MODEL_MOUNT + "/rgb/student");
  }

  private static OperatorSettings settings() {
    return OperatorSettings.defaults();
  }

  /** Structure chairs, appearance chairs-rgb, both DistillationJobs. */
  private static StudentDeployment fromJobs() {
    StudentDeployment sd = Fixtures.studentDeployment("s", S1);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.digest = null;
    sd.getSpec().source.distillationJobRef = "chairs";
    sd.getSpec().source.appearance = new AppearanceSourceSpec();
    sd.getSpec().source.appearance.distillationJobRef = "chairs-rgb";
    return sd;
  }

  /** Structure on claim artifacts, appearance on claim colours, both by URI and digest. */
  private static StudentDeployment fromUris(String appearanceDigest) {
    StudentDeployment sd = Fixtures.studentDeployment("s", S1);
    sd.getSpec().source.modelUri = "pvc://artifacts/chairs/student";
    sd.getSpec().source.appearance = new AppearanceSourceSpec();
    sd.getSpec().source.appearance.modelUri = "pvc://colours/rgb/student";
    sd.getSpec().source.appearance.digest = appearanceDigest;
    return sd;
  }

  private static DistillationJob job(String name, Stage stage, String artifact, String digest) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getSpec().stage = stage;
    DistillationJobStatus st = new DistillationJobStatus();
    st.phase = Phase.Succeeded;
    st.result = new ResultStatus();
    st.result.artifact = artifact;
    st.result.digest = digest;
    st.result.gate = new ResultStatus.GateStatus();
    st.result.gate.passed = true;
    dj.setStatus(st);
    return dj;
  }

  private static StudentDeploymentStatus next(
      StudentDeployment sd,
      Deployment stable,
      Deployment canary,
      RequestCounts counts,
      Instant now) {
    SourceResolution source = SourceResolution.of(sd, null, null);
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(
            source, RolloutPlan.of(sd, source), stable, canary, () -> Optional.of(counts)),
        now);
  }

  private static Deployment rolledOut(StudentDeployment sd, String digest) {
    var model = new ServedModel("pvc://artifacts/m", digest, null, null);
    Deployment d = ServingDeployments.stable(sd, model, settings());
    d.getSpec().setReplicas(3);
    d.getMetadata().setGeneration(1L);
    d.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(1L)
            .withReplicas(3)
            .withUpdatedReplicas(3)
            .withReadyReplicas(3)
            .build());
    return d;
  }
}
