package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.FlowMatchingLoss;
import io.distillery.mdt.train.SyntheticData;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: after the watchdog stops a run, rerunning the same output with the lower learning rate
 * its message advises must not resume the checkpoints written while the loss was rising.
 */
class DivergedCheckpointsTest {

  private static TrainingLoop.Settings settings(Path dir, double lr) {
    return new TrainingLoop.Settings(8, 8, lr, 0, 0, 0.9, 1.0, 95, 50, 2, dir, "student test");
  }

  /** Trains while the watched loss rises tenfold after 3 steps: the watchdog fires in step 6. */
  private static void divergeAfterCheckpoints(Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(dir, 3e-3), m.weights())) {
      FlowMatchingLoss fm = new FlowMatchingLoss(m, new SyntheticData(24), 8, 0.2, 1, 1, 5);
      TrainingLoop.StepLoss rising =
          (scope, step) ->
              new TrainingLoop.StepLosses(
                  fm.compute(scope, step).total(), Map.of("vd", scope.create(step < 3 ? 1f : 10f)));
      DivergenceWatchdog watchdog = new DivergenceWatchdog(rising, "vd", 3, 4.0, 3e-3);
      assertThatThrownBy(() -> loop.run(watchdog, TrainingMonitor.none()))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("diverged at step 6");
    }
  }

  @Test
  void aLowerLearningRateAfterTheWatchdogFiredStartsFromTheTeacherNotTheRisingCheckpoints(
      @TempDir Path dir) {
    divergeAfterCheckpoints(dir);
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(dir, 1e-3), m.weights())) {
      assertThat(loop.step()).isZero();
    }
  }

  @Test
  void theSameSettingsAfterTheWatchdogFiredStopAgainWithTheDivergence(@TempDir Path dir) {
    divergeAfterCheckpoints(dir);
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      assertThatThrownBy(() -> new TrainingLoop(settings(dir, 3e-3), m.weights()))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("distillation diverged at step 6");
    }
  }
}
