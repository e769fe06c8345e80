package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** status.rollingOut: the source being rolled out now, by rolling update or canary. */
class RollingOutStatusTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final String A = Fixtures.digest('a');

  @Test
  void aRollingUpdateNamesTheNewModelUntilItIsRolledOut() {
    StudentDeployment sd = Fixtures.studentDeployment("s", A);
    StudentDeploymentStatus s = next(sd, null, null, T0);
    assertThat(s.rollingOut).isEqualTo("pvc://artifacts/shapes/student");
    sd.setStatus(s);
    assertThat(next(sd, rolledOut(sd, A), null, T0.plusSeconds(5)).rollingOut).isNull();
  }

  @Test
  void aLiveCanaryNamesItsJob() {
    StudentDeployment sd = JobSelectionTest.selecting();
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    var first = JobSelectionTest.passed("shapes-1", 0, 'a');
    sd.setStatus(next(sd, rolledOut(sd, A), List.of(first), T0));
    assertThat(sd.getStatus().currentSource).isEqualTo("shapes-1");
    assertThat(sd.getStatus().rollingOut).isNull();

    var second = JobSelectionTest.passed("shapes-2", 60, 'b');
    StudentDeploymentStatus s = next(sd, rolledOut(sd, A), List.of(first, second), T0);
    assertThat(s.canary.source).isEqualTo("shapes-2");
    assertThat(s.rollingOut).isEqualTo("shapes-2");
    assertThat(s.currentSource).isEqualTo("shapes-1");
    assertThat(s.selectedSource).isEqualTo("shapes-2");
  }

  private static StudentDeploymentStatus next(
      StudentDeployment sd, Deployment stable, List<DistillationJob> jobs, Instant now) {
    SourceResolution source =
        jobs == null ? SourceResolution.of(sd, null) : SourceResolution.fromJobs(sd, jobs, null);
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(source, RolloutPlan.of(sd, source), stable, null, Optional::empty),
        now);
  }

  private static Deployment rolledOut(StudentDeployment sd, String digest) {
    Deployment d =
        ServingDeployments.stable(
            sd,
            new ServedModel("pvc://artifacts/m", digest, null, null),
            OperatorSettings.defaults());
    d.getSpec().setReplicas(3);
    d.getMetadata().setGeneration(1L);
    d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of(Labels.MODEL_DIGEST, digest));
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
