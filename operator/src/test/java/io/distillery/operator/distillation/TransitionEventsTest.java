package io.distillery.operator.distillation;

import static io.distillery.operator.api.v1alpha1.DistillationConditions.CLAIM_NOT_FOUND;
import static io.distillery.operator.api.v1alpha1.DistillationConditions.JOB_CREATED;
import static io.distillery.operator.api.v1alpha1.DistillationConditions.POD_STARTING;
import static io.distillery.operator.api.v1alpha1.DistillationConditions.PROGRESSING;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransitionEventsTest {
  @Test
  void aNewJobsFirstStatusJobCreatedRecordsNoEvent() {
    assertThat(TransitionEvents.worthAnEvent(null, status(Phase.Pending, JOB_CREATED))).isFalse();
    assertThat(
            TransitionEvents.worthAnEvent(
                new DistillationJobStatus(), status(Phase.Pending, JOB_CREATED)))
        .isFalse();
  }

  @Test
  void aFirstStatusThatWarnsAndEveryLaterChangeRecordOne() {
    assertThat(TransitionEvents.worthAnEvent(null, status(Phase.Pending, CLAIM_NOT_FOUND)))
        .isTrue();
    assertThat(
            TransitionEvents.worthAnEvent(
                status(Phase.Pending, JOB_CREATED), status(Phase.Pending, POD_STARTING)))
        .isTrue();
    assertThat(
            TransitionEvents.worthAnEvent(
                status(Phase.Pending, CLAIM_NOT_FOUND), status(Phase.Pending, JOB_CREATED)))
        .as("the claim appeared: the Job is created now")
        .isTrue();
    assertThat(
            TransitionEvents.worthAnEvent(
                status(Phase.Pending, JOB_CREATED), status(Phase.Pending, JOB_CREATED)))
        .isFalse();
  }

  private static DistillationJobStatus status(Phase phase, String reason) {
    DistillationJobStatus s = new DistillationJobStatus();
    s.phase = phase;
    s.conditions =
        Conditions.with(
            null, PROGRESSING, true, reason, "", 1L, Instant.parse("2026-12-03T12:00:00Z"));
    return s;
  }
}
