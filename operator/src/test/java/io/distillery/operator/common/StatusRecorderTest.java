package io.distillery.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recorder's decisions that need no API server (the writes are covered by ErrorStatusIT). */
class StatusRecorderTest {
  final StatusRecorder<DistillationJob, DistillationJobStatus> recorder =
      new StatusRecorder<>(
          DistillationJob::new,
          DistillationJobStatus::new,
          s -> s.conditions,
          (s, c) -> s.conditions = c);

  @Test
  void anUnchangedStatusIsNotWritten() {
    DistillationJob dj = Fixtures.distillationJob("dj");
    DistillationJobStatus status = new DistillationJobStatus();
    status.attempts = 1;
    dj.setStatus(status);
    // No context: a write would fail.
    boolean written =
        recorder.record(
            dj,
            Json.copy(status),
            null,
            () -> {
              throw new AssertionError("no events for an unchanged status");
            });
    assertThat(written).isFalse();
  }

  @Test
  void theErrorConditionIsDroppedFromASuccessfulStatus() {
    DistillationJobStatus next = new DistillationJobStatus();
    next.conditions =
        Conditions.with(
            List.of(),
            StatusRecorder.ERROR,
            true,
            StatusRecorder.ERROR_REASON,
            "x",
            1,
            Instant.EPOCH);
    DistillationJob dj = Fixtures.distillationJob("dj");
    dj.setStatus(new DistillationJobStatus());
    assertThat(recorder.record(dj, next, null, () -> {})).isFalse();
    assertThat(next.conditions).isEmpty();
  }

  @Test
  void theMessageNamesEachFailedDependentAndIsBounded() {
    var failed =
        new AggregatedOperatorException(
            "workflow failed",
            Map.of("trainer-job", new IllegalStateException("jobs.batch is forbidden")));
    assertThat(StatusRecorder.message(failed)).isEqualTo("trainer-job: jobs.batch is forbidden");
    var refused =
        new KubernetesClientException(
            new StatusBuilder().withCode(403).withMessage("jobs.batch is forbidden").build());
    assertThat(StatusRecorder.message(refused)).isEqualTo("jobs.batch is forbidden");
    assertThat(StatusRecorder.message(new RuntimeException("y".repeat(5000)))).hasSize(1024);
    assertThat(StatusRecorder.message(new NullPointerException()))
        .isEqualTo("NullPointerException");
  }
}
