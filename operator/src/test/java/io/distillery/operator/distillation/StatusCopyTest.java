package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ProgressStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.distillation.TrainerObservation.ProgressReading;
import io.distillery.operator.testing.fixtures.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A status field added later is kept wherever the mappers copy a previous status (they copy through
 * JSON, not field by field): stand-in types with one field the mappers do not know.
 */
class StatusCopyTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  public static class StatusWithNewField extends DistillationJobStatus {
    public String newField;
  }

  public static class ProgressWithNewField extends ProgressStatus {
    public String newField;
  }

  @Test
  void aSettledStatusKeepsAFieldTheMapperDoesNotKnow() {
    DistillationJob dj = Fixtures.distillationJob("dj");
    StatusWithNewField prev = new StatusWithNewField();
    prev.newField = "kept";
    prev.phase = Phase.Succeeded;
    prev.conditions =
        Conditions.with(List.of(), DistillationConditions.COMPLETE, true, "Succeeded", "", 1, NOW);
    dj.setStatus(prev);

    var next =
        TrainerStatusMapper.next(
            dj,
            new TrainerObservation(null, List.of(), false, false, List.of(), null),
            NOW,
            Duration.ofSeconds(60));

    assertThat(next).isNotSameAs(prev).isInstanceOf(StatusWithNewField.class);
    assertThat(((StatusWithNewField) next).newField).isEqualTo("kept");
  }

  @Test
  void progressKeptOnSuccessOrWhenStaleKeepsAFieldTheMapperDoesNotKnow() {
    DistillationJobStatus prev = new DistillationJobStatus();
    ProgressWithNewField progress = new ProgressWithNewField();
    progress.newField = "kept";
    progress.percent = 40;
    prev.progress = progress;
    var unanswered = ProgressReading.failed("connection refused");

    for (ProgressStatus next :
        List.of(
            ProgressMapper.next(prev, Phase.Succeeded, null, NOW, Duration.ofSeconds(60)),
            ProgressMapper.next(prev, Phase.Running, unanswered, NOW, Duration.ofSeconds(60)))) {
      assertThat(next).isNotSameAs(progress).isInstanceOf(ProgressWithNewField.class);
      assertThat(((ProgressWithNewField) next).newField).isEqualTo("kept");
    }
  }
}
