package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.AppearanceSourceSpec;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.SkippedSourceStatus;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which job spec.source.distillationJobSelector follows, and what the status and events say. */
class JobSelectionTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final LabelSelector SHAPES =
      new LabelSelectorBuilder().withMatchLabels(Map.of("pipeline", "shapes")).build();

  @Test
  void theNewestPassingJobWinsAndATieGoesToTheGreaterName() {
    var older = passed("shapes-b", 0, 'b');
    var newer = passed("shapes-a", 60, 'a');
    assertThat(select(older, newer).selected()).isSameAs(newer);
    // Same creationTimestamp (one-second resolution): the greater name wins, whatever the order.
    var tieA = passed("shapes-1", 0, 'a');
    var tieB = passed("shapes-2", 0, 'b');
    assertThat(select(tieA, tieB).selected()).isSameAs(tieB);
    assertThat(select(tieB, tieA).selected()).isSameAs(tieB);
  }

  @Test
  void onlyMatchingLabelsCountIncludingExpressions() {
    var other = passed("other", 120, 'c');
    other.getMetadata().setLabels(Map.of("pipeline", "colours"));
    var unlabelled = passed("bare", 180, 'd');
    unlabelled.getMetadata().setLabels(null);
    var job = passed("shapes-1", 0, 'a');
    assertThat(select(other, unlabelled, job).selected()).isSameAs(job);

    LabelSelector expr =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("pipeline")
            .withOperator("In")
            .withValues("colours", "x")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("retired")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    assertThat(JobSelection.of(expr, List.of(other, unlabelled, job), null).selected())
        .isSameAs(other);
    other.getMetadata().setLabels(Map.of("pipeline", "colours", "retired", "yes"));
    assertThat(JobSelection.of(expr, List.of(other), null).resolution().reason())
        .isEqualTo(StudentConditions.NO_MATCHING_JOB);
    assertThat(JobSelectors.describe(expr)).isEqualTo("pipeline in (colours,x),!retired");
  }

  @Test
  void aNewerRunningJobIsPendingWhileTheNewestPassingOneIsServed() {
    var served = passed("shapes-1", 0, 'a');
    var running = job("shapes-2", 60);
    running.setStatus(new DistillationJobStatus());
    running.getStatus().phase = Phase.Running;
    JobSelection s = select(served, running);
    assertThat(s.selected()).isSameAs(served);
    assertThat(s.resolution().ready()).isTrue();
    assertThat(s.pending()).containsExactly("shapes-2");
    assertThat(s.skipped()).isEmpty();

    // Nothing passed yet: the deployment waits for the newest, and says so.
    JobSelection waiting = select(running);
    assertThat(waiting.selected()).isNull();
    assertThat(waiting.resolution().reason()).isEqualTo(StudentConditions.SOURCE_NOT_SUCCEEDED);
    assertThat(waiting.resolution().message())
        .contains("pipeline=shapes", "waiting for DistillationJob shapes-2");
  }

  @Test
  void newerJobsThatFailOrFailTheirGateAreSkippedWithTheReasonNewestFirst() {
    var served = passed("shapes-1", 0, 'a');
    var gateFailed = job("shapes-2", 60);
    gateFailed.setStatus(result('b', false));
    gateFailed.getStatus().result.gate.reason = "fd ratio 1.4 above 1.2";
    var failed = job("shapes-3", 120);
    failed.setStatus(new DistillationJobStatus());
    failed.getStatus().phase = Phase.Failed;
    var noClaim = job("shapes-4", 180);
    noClaim.setStatus(result('c', true));
    noClaim.getStatus().result.artifact = "/opt/model";
    var older = job("shapes-0", -60);
    older.setStatus(new DistillationJobStatus());
    older.getStatus().phase = Phase.Failed;

    JobSelection s = select(older, served, gateFailed, failed, noClaim);
    assertThat(s.selected()).isSameAs(served);
    assertThat(s.skipped())
        .extracting(k -> k.name + " " + k.reason)
        .as("only candidates newer than the served job, newest first")
        .containsExactly(
            "shapes-4 " + StudentConditions.SOURCE_INVALID,
            "shapes-3 " + StudentConditions.SOURCE_FAILED,
            "shapes-2 " + StudentConditions.SOURCE_GATE_FAILED);
    assertThat(s.skipped().get(2).message).contains("fd ratio 1.4 above 1.2");
  }

  @Test
  void theListsAreBoundedToTheNewestFive() {
    List<DistillationJob> jobs = new ArrayList<>();
    jobs.add(passed("shapes-00", 0, 'a'));
    for (int i = 1; i <= 8; i++) {
      var failed = job("shapes-0" + i, 60 * i);
      failed.setStatus(new DistillationJobStatus());
      failed.getStatus().phase = Phase.Failed;
      jobs.add(failed);
    }
    JobSelection s = JobSelection.of(SHAPES, jobs, null);
    assertThat(s.skipped())
        .extracting(k -> k.name)
        .containsExactly("shapes-08", "shapes-07", "shapes-06", "shapes-05", "shapes-04");
  }

  @Test
  void deletingTheServedJobGoesBackToTheNewestRemainingOne() {
    var first = passed("shapes-1", 0, 'a');
    var second = passed("shapes-2", 60, 'b');
    assertThat(select(first, second).selected()).isSameAs(second);
    // Deleted: gone from the informer, or still there with a deletionTimestamp (finalizers).
    assertThat(select(first).selected()).isSameAs(first);
    second.getMetadata().setDeletionTimestamp(T0.plusSeconds(300).toString());
    assertThat(select(first, second).selected()).isSameAs(first);
  }

  @Test
  void aSelectorMatchingNothingWaitsWithNoMatchingJobNamingTheSelector() {
    JobSelection s = select();
    assertThat(s.selected()).isNull();
    assertThat(s.resolution().reason()).isEqualTo(StudentConditions.NO_MATCHING_JOB);
    assertThat(s.resolution().message()).contains("distillationJobSelector (pipeline=shapes)");
  }

  @Test
  void withAnAppearanceStageOnlyStructureJobsAreSelected() {
    var structure = passed("shapes-1", 0, 'a');
    var colours = passed("colours-1", 60, 'b');
    colours.getSpec().stage = Stage.APPEARANCE;
    JobSelection s = JobSelection.of(SHAPES, List.of(structure, colours), Stage.STRUCTURE);
    assertThat(s.selected()).isSameAs(structure);
    assertThat(s.skipped())
        .singleElement()
        .satisfies(k -> assertThat(k.reason).isEqualTo(StudentConditions.SOURCE_WRONG_STAGE));
    // Alone, an appearance job cannot be served either.
    assertThat(JobSelection.of(SHAPES, List.of(colours), null).resolution().reason())
        .isEqualTo(StudentConditions.SOURCE_WRONG_STAGE);

    StudentDeployment sd = selecting();
    sd.getSpec().source.appearance = new AppearanceSourceSpec();
    sd.getSpec().source.appearance.distillationJobRef = "colours-1";
    SourceResolution r = SourceResolution.fromJobs(sd, List.of(structure, colours), colours);
    assertThat(r.ready()).isTrue();
    assertThat(r.model().stages())
        .extracting(st -> st.source)
        .containsExactly("shapes-1", "colours-1");
    assertThat(r.selection().selected()).isSameAs(structure);
  }

  @Test
  void aRolledBackNewestJobStaysOutUntilANewerOneSucceeds() {
    StudentDeployment sd = selecting();
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    var first = passed("shapes-1", 0, 'a');
    var second = passed("shapes-2", 60, 'b');
    sd.setStatus(new StudentDeploymentStatus());
    sd.getStatus().currentModel = "pvc://artifacts/shapes-1/student";
    sd.getStatus().currentDigest = Fixtures.digest('a');
    sd.getStatus().currentSource = "shapes-1";
    sd.getStatus().canary = new StudentDeploymentStatus.CanaryStatus();
    sd.getStatus().canary.state = StudentConditions.CANARY_ROLLED_BACK;
    sd.getStatus().canary.digest = Fixtures.digest('b');

    RolloutPlan plan =
        RolloutPlan.of(sd, SourceResolution.fromJobs(sd, List.of(first, second), null));
    assertThat(plan.canary()).isNull();
    assertThat(plan.stable().source()).isEqualTo("shapes-1");

    var third = passed("shapes-3", 120, 'c');
    plan = RolloutPlan.of(sd, SourceResolution.fromJobs(sd, List.of(first, second, third), null));
    assertThat(plan.canary().source()).isEqualTo("shapes-3");
  }

  @Test
  void eachSkippedCandidateGetsOneEventDerivedFromTheStatusChange() {
    var prev = new StudentDeploymentStatus();
    var next = new StudentDeploymentStatus();
    next.skippedSources =
        List.of(new SkippedSourceStatus("shapes-3", StudentConditions.SOURCE_GATE_FAILED, "gate"));
    assertThat(RolloutEvents.skipped(prev, next))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.reason()).isEqualTo(StudentConditions.CANDIDATE_SKIPPED);
              assertThat(t.message()).contains("shapes-3", "SourceGateFailed");
            });
    assertThat(RolloutEvents.skipped(next, next)).as("already listed: no repeat").isEmpty();
    assertThat(RolloutEvents.skipped(null, next)).hasSize(1);
  }

  @Test
  void aJobEventReachesDeploymentsWhoseSelectorMatchesOrWhoseStatusNamesIt() {
    StudentDeployment sd = selecting();
    var job = passed("shapes-1", 0, 'a');
    assertThat(ServingEventSources.follows(sd, job)).isTrue();
    job.getMetadata().setLabels(Map.of("pipeline", "other"));
    assertThat(ServingEventSources.follows(sd, job)).isFalse();
    // Its labels changed while it was served: the deployment must still hear of it.
    sd.setStatus(new StudentDeploymentStatus());
    sd.getStatus().currentSource = "shapes-1";
    assertThat(ServingEventSources.follows(sd, job)).isTrue();
  }

  @Test
  void theStatusSaysWhichJobIsSelectedPendingOrSkipped() {
    StudentDeployment sd = selecting();
    var served = passed("shapes-1", 0, 'a');
    var running = job("shapes-2", 60);
    SourceResolution r = SourceResolution.fromJobs(sd, List.of(served, running), null);
    var status = new StudentDeploymentStatus();
    SelectionStatus.record(status, r.selection());
    assertThat(status.selectedSource).isEqualTo("shapes-1");
    assertThat(status.pendingSources).containsExactly("shapes-2");
    assertThat(status.skippedSources).isNull();
    SelectionStatus.record(status, null);
    assertThat(status.selectedSource).isNull();
    assertThat(status.pendingSources).isNull();
  }

  static StudentDeployment selecting() {
    StudentDeployment sd = Fixtures.studentDeployment("s", null);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.distillationJobSelector = SHAPES;
    return sd;
  }

  static JobSelection select(DistillationJob... jobs) {
    return JobSelection.of(SHAPES, List.of(jobs), null);
  }

  static DistillationJob job(String name, int secondsAfterT0) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getMetadata().setLabels(Map.of("pipeline", "shapes"));
    dj.getMetadata().setCreationTimestamp(T0.plusSeconds(secondsAfterT0).toString());
    return dj;
  }

  static DistillationJob passed(String name, int secondsAfterT0, char digest) {
    DistillationJob dj = job(name, secondsAfterT0);
    dj.setStatus(result(digest, true));
    dj.getStatus().result.artifact = "pvc://artifacts/" + name + "/student";
    return dj;
  }

  static DistillationJobStatus result(char digest, boolean passed) {
    DistillationJobStatus s = new DistillationJobStatus();
    s.phase = passed ? Phase.Succeeded : Phase.Failed;
    s.result = new ResultStatus();
    s.result.artifact = "pvc://artifacts/x/student";
    s.result.digest = Fixtures.digest(digest);
    s.result.gate = new ResultStatus.GateStatus();
    s.result.gate.passed = passed;
    s.result.summary = new ResultStatus.Summary();
    s.result.summary.bestSpeedup = "21.4x@1";
    return s;
  }
}
