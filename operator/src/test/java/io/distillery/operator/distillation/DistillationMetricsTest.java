package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ProgressStatus;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DistillationMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final DistillationMetrics metrics = new DistillationMetrics(registry);

  @Test
  void jobsByPhaseAreCountedFromTheCache() {
    List<DistillationJob> jobs =
        List.of(job("a", Phase.Running), job("b", Phase.Running), job("c", Phase.Failed));
    metrics.countFrom(jobs::stream);
    assertThat(registry.get(DistillationMetrics.JOBS).tag("phase", "Running").gauge().value())
        .isEqualTo(2);
    assertThat(registry.get(DistillationMetrics.JOBS).tag("phase", "Failed").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get(DistillationMetrics.JOBS).tag("phase", "Pending").gauge().value())
        .isZero();
  }

  @Test
  void timeInAPhaseIsRecordedWhenTheJobLeavesIt() {
    DistillationJob dj = job("a", Phase.Pending);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    metrics.observe(dj, Phase.Pending, t0);
    metrics.observe(dj, Phase.Pending, t0.plusSeconds(5));
    metrics.observe(dj, Phase.Running, t0.plusSeconds(10));
    metrics.observe(dj, Phase.Succeeded, t0.plusSeconds(70));
    var pending = registry.get(DistillationMetrics.PHASE_DURATION).tag("phase", "Pending").timer();
    var running = registry.get(DistillationMetrics.PHASE_DURATION).tag("phase", "Running").timer();
    assertThat(pending.count()).isEqualTo(1);
    assertThat(pending.totalTime(TimeUnit.SECONDS)).isEqualTo(10);
    assertThat(running.totalTime(TimeUnit.SECONDS)).isEqualTo(60);
  }

  @Test
  void entriesOfDeletedJobsAreForgotten() {
    DistillationJob gone = job("gone", Phase.Pending);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    metrics.observe(gone, Phase.Pending, t0);
    metrics.countFrom(() -> java.util.stream.Stream.of(job("other", Phase.Running)));
    registry.get(DistillationMetrics.JOBS).tag("phase", "Running").gauge().value();
    metrics.observe(gone, Phase.Running, t0.plusSeconds(5));
    assertThat(registry.find(DistillationMetrics.PHASE_DURATION).timers()).isEmpty();
  }

  @Test
  void aFailureIsCountedOnceByItsReason() {
    DistillationJob dj = job("a", Phase.Running);
    DistillationJobStatus failed = failedWith("GateFailed");
    metrics.failed(dj, failed);
    metrics.failed(dj, failed); // the same transition reconciled again before the patch landed
    metrics.failed(job("b", Phase.Running), failedWith("InputInvalid"));
    dj.setStatus(failed);
    metrics.failed(dj, failed); // already Failed: nothing new
    metrics.failed(job("c", Phase.Running), job("c", Phase.Succeeded).getStatus());
    assertThat(
            registry
                .get(DistillationMetrics.FAILURES)
                .tag("reason", "GateFailed")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(DistillationMetrics.FAILURES)
                .tag("reason", "InputInvalid")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.find(DistillationMetrics.FAILURES).counters()).hasSize(2);
  }

  @Test
  void staleOrUnreachableProgressOfTrainingJobsIsCounted() {
    DistillationJob fresh = job("fresh", Phase.Running);
    fresh.getStatus().progress = new ProgressStatus();
    fresh.getStatus().progress.display = "40%";
    DistillationJob stale = job("stale", Phase.Running);
    stale.getStatus().progress = new ProgressStatus();
    stale.getStatus().progress.stale = true;
    DistillationJob unreachable = job("unreachable", Phase.Evaluating);
    unreachable.getStatus().progress = new ProgressStatus();
    unreachable.getStatus().progress.display = "unreachable";
    DistillationJob done = job("done", Phase.Succeeded);
    done.getStatus().progress = new ProgressStatus();
    done.getStatus().progress.stale = true;
    List<DistillationJob> jobs = List.of(fresh, stale, unreachable, done);
    metrics.countFrom(jobs::stream);
    assertThat(registry.get(DistillationMetrics.PROGRESS_STALE).gauge().value()).isEqualTo(2);
  }

  static DistillationJobStatus failedWith(String reason) {
    DistillationJobStatus s = new DistillationJobStatus();
    s.phase = Phase.Failed;
    Condition c = new Condition();
    c.setType(DistillationConditions.FAILED);
    c.setStatus("True");
    c.setReason(reason);
    s.conditions.add(c);
    return s;
  }

  static DistillationJob job(String name, Phase phase) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.setStatus(new DistillationJobStatus());
    dj.getStatus().phase = phase;
    return dj;
  }
}
