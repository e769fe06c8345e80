package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.distillation.DistillationJobReconciler;
import io.distillery.operator.distillation.DistillationMetrics;
import io.distillery.operator.lifecycle.LeaderElection;
import io.distillery.operator.serving.StudentDeploymentReconciler;
import io.distillery.operator.serving.StudentMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus application wires up as in production (the operator itself is not started here, see
 * src/test/resources/application.properties): the reconcilers are beans built with the Micrometer
 * registry, the settings bean comes from application.properties, and the leader-election bean
 * exists.
 */
@QuarkusTest
class OperatorWiringTest {
  @Inject DistillationJobReconciler reconciler;
  @Inject StudentDeploymentReconciler students;
  @Inject MeterRegistry registry;
  @Inject LeaderElection leaderElection;
  @Inject OperatorSettings settings;

  @Test
  void reconcilerMetricsSettingsAndLeaderElectionAreWired() {
    // The bean may be a lazy client proxy: calling it creates the reconciler.
    assertThat(reconciler.toString()).isNotEmpty();
    assertThat(students.toString()).isNotEmpty();
    assertThat(registry.find(StudentMetrics.DEPLOYMENTS).tag("phase", "RolledBack").gauge())
        .isNotNull();
    assertThat(registry.find(DistillationMetrics.JOBS).tag("phase", "Running").gauge()).isNotNull();
    assertThat(leaderElection.getLeaseName()).isEqualTo("distillery-operator");
    assertThat(settings.gpuResourceName()).isEqualTo("nvidia.com/gpu");
    assertThat(settings.progressInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(settings.retryMax()).isEqualTo(Duration.ofMinutes(5));
  }
}
