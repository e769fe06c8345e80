package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.SyntheticData;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real distillation of a tiny flow transformer, in seconds. */
class DistillationRunTest {

  @Test
  void vmLossFallsWhileDistillingATeacher(@TempDir Path dir) {
    SyntheticData data = new SyntheticData(24);
    try (FlowTransformer teacher = FlowTransformer.create(TinySpecs.tiny(), 3, Device.cpu())) {
      // Give the teacher a non-trivial velocity field: a few flow-matching steps.
      try (TrainingLoop loop =
          new TrainingLoop(settings(60, dir.resolve("teacher"), 3e-3), teacher.weights())) {
        loop.run(
            new io.distillery.mdt.train.FlowMatchingLoss(teacher, data, 8, 0.2, 1, 1, 5),
            TrainingMonitor.none());
      }
      teacher.weights().requireGradients(false);
      try (FlowTransformer student =
              FlowTransformer.withWeights(TinySpecs.tiny(), teacher.weights().copy());
          TrainingLoop loop =
              new TrainingLoop(settings(40, dir.resolve("student"), 1e-3), student.weights())) {
        ObjectiveSettings s = new ObjectiveSettings(0.01, 1.0, 1.0, 1, 1, true, 1, 1, 1);
        List<Double> vm = new ArrayList<>();
        loop.run(
            new DistillationLoss(TrainerConfig.Method.MDT, student, teacher, data, 8, s, 9),
            p -> vm.add(p.losses.get("vm")));
        double first = vm.subList(0, 8).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = vm.subList(32, 40).stream().mapToDouble(d -> d).average().orElseThrow();
        assertThat(last).isLessThan(first);
      }
    }
  }

  @Test
  void watchdogStopsASustainedRiseNamingTheSetting() {
    DivergenceWatchdog w = new DivergenceWatchdog((scope, step) -> null, "vd", 5, 3.0, 2e-5);
    for (int i = 1; i <= 10; i++) w.observe(i, 0.1);
    for (int i = 11; i <= 15; i++) w.observe(i, 0.2); // 2x: noise, not divergence
    assertThatThrownBy(
            () -> {
              for (int i = 16; i <= 20; i++) w.observe(i, 0.5);
            })
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("vd loss")
        .hasMessageContaining("learningRate");
  }

  private static TrainingLoop.Settings settings(long steps, Path dir, double lr) {
    return new TrainingLoop.Settings(steps, 8, lr, 0, 0, 0.9, 1.0, 95, 50, 1000, dir, "test");
  }
}
