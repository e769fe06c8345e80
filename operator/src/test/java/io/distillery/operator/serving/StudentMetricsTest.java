package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudentMetricsTest {
  @Test
  void rolloutsCountByOutcomeAndReason() {
    var registry = new SimpleMeterRegistry();
    var metrics = new StudentMetrics(registry);
    metrics.rollout("rolled_back", "empty_rate");
    metrics.rollout("rolled_back", "empty_rate");
    metrics.rollout("promoted");
    assertThat(
            registry
                .get(StudentMetrics.ROLLOUTS)
                .tags("outcome", "rolled_back", "reason", "empty_rate")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(StudentMetrics.ROLLOUTS)
                .tags("outcome", "promoted", "reason", "passed")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void theLastVerdictsFiguresAreGaugesAndAFigureNotMeasuredAgainIsNoLongerReported() {
    var registry = new SimpleMeterRegistry();
    var metrics = new StudentMetrics(registry);
    StudentDeployment sd = new StudentDeployment();
    sd.setMetadata(new ObjectMetaBuilder().withNamespace("team").withName("chairs").build());
    metrics.verdict(sd, Map.of("emptyRate", 0.5, "distanceRatio", 4.2));
    assertThat(gauge(registry, "distanceRatio")).isEqualTo(4.2);
    metrics.verdict(sd, Map.of("emptyRate", 0.0));
    assertThat(gauge(registry, "emptyRate")).isEqualTo(0.0);
    assertThat(gauge(registry, "distanceRatio")).isNaN();
  }

  static double gauge(SimpleMeterRegistry registry, String figure) {
    return registry
        .get(StudentMetrics.VERDICT)
        .tags("namespace", "team", "studentdeployment", "chairs", "figure", figure)
        .gauge()
        .value();
  }
}
