package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mdt serve --steps} (a StudentDeployment's spec.steps) picks among the trained counts. */
class DefaultStepsTest {

  @Test
  void aStudentServesOnlyItsTrainedStepCountsByDefault(@TempDir Path dir) throws Exception {
    Path teacher = TinyModels.teacher(dir.resolve("t"), 2);
    Path student = TinyModels.student(teacher, dir.resolve("s"), List.of(1, 2));
    try (ServingModel m = ServingModel.load(student, Device.cpu())) {
      assertThat(m.defaultSteps()).isEqualTo(1);
      m.useDefaultSteps(2);
      assertThat(m.defaultSteps()).isEqualTo(2);
      assertThatThrownBy(() -> m.useDefaultSteps(4))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--steps 4")
          .hasMessageContaining("[1, 2]");
    }
  }
}
