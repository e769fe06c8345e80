package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.LossHistory;
import io.distillery.mdt.train.SyntheticData;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        ObjectiveSettings s = new ObjectiveSettings(0.01, 1.0, 1.0, 1, 1, true, false, 1, 1, 1);
        List<Double> vm = new ArrayList<>();
        loop.run(
            new DistillationLoss(
                TrainerConfig.Method.MDT,
                student,
                TargetNetwork.self(student),
                teacher,
                data,
                8,
                s,
                9),
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

  @Test
  void aResumedWatchdogJudgesAsTheUninterruptedRunWould() {
    LossHistory before = new LossHistory();
    for (int i = 1; i <= 10; i++) before.add(i, Map.of("vd", 0.1));
    DivergenceWatchdog resumed =
        new DivergenceWatchdog((scope, step) -> null, "vd", 5, 3.0, 2e-5).replay(before);
    // A rise to 5x the best window before the restart stops the resumed run too.
    assertThatThrownBy(
            () -> {
              for (int i = 11; i <= 15; i++) resumed.observe(i, 0.5);
            })
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("distillation diverged at step 15");
  }

  @Test
  void watchdogWatchesTheLossTheObjectiveTrains() {
    // VD rises tenfold after 100 steps while VM stays flat, and the other way round.
    TrainingLoop.StepLoss vdRises = losses(0.1, 0.1, 1.0);
    TrainingLoop.StepLoss vmRises = losses(0.1, 1.0, 0.1);
    // mdt-vm (lambdaVD 0): VD is logged but not trained; its rise must not stop the run.
    assertThat(stepsBeforeStop(mdt(1.0, 0.0), vdRises)).isEqualTo(200);
    assertThatThrownBy(() -> stepsBeforeStop(mdt(1.0, 0.0), vmRises))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("vm loss")
        .hasMessageContaining("learningRate")
        .hasMessageNotContaining("lambdaVD");
    // mdt-vd (lambdaVM 0) and the default objective: VD, as before.
    for (TrainerConfig cfg : List.of(mdt(0.0, 1.0), mdt(1.0, 0.1), new TrainerConfig())) {
      assertThat(stepsBeforeStop(cfg, vmRises)).isEqualTo(200);
      assertThatThrownBy(() -> stepsBeforeStop(cfg, vdRises))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("vd loss")
          .hasMessageContaining("lambdaVD");
    }
    TrainerConfig cm = new TrainerConfig();
    cm.method = TrainerConfig.Method.CM;
    assertThat(DivergenceWatchdog.watchedLoss(cm.method, 1.0, 0.0)).isEqualTo("cm");
  }

  private static TrainerConfig mdt(double lambdaVM, double lambdaVD) {
    TrainerConfig cfg = new TrainerConfig();
    cfg.method = TrainerConfig.Method.MDT;
    cfg.hyperparameters.lambdaVM = lambdaVM;
    cfg.hyperparameters.lambdaVD = lambdaVD;
    return cfg;
  }

  /** Logs {@code vm} and {@code vd}: {@code base} for 100 steps, then the given values. */
  private static TrainingLoop.StepLoss losses(double base, double vmAfter, double vdAfter) {
    return (scope, step) ->
        new TrainingLoop.StepLosses(
            scope.create(0f),
            Map.of(
                "vm", scope.create((float) (step < 100 ? base : vmAfter)),
                "vd", scope.create((float) (step < 100 ? base : vdAfter))));
  }

  /** Runs 200 steps through the watchdog {@link StudentDistillation} uses for {@code cfg}. */
  private static long stepsBeforeStop(TrainerConfig cfg, TrainingLoop.StepLoss loss) {
    DivergenceWatchdog w = StudentDistillation.watchdog(cfg, loss);
    long steps = 0;
    try (NDManager m = NDManager.newBaseManager()) {
      for (long step = 0; step < 200; step++) {
        try (NDManager scope = m.newSubManager()) {
          Map<String, Double> logged = new java.util.LinkedHashMap<>();
          w.compute(scope, step).logged().forEach((k, v) -> logged.put(k, (double) v.getFloat()));
          w.observe(step, logged);
        }
        steps++;
      }
    }
    return steps;
  }

  private static TrainingLoop.Settings settings(long steps, Path dir, double lr) {
    return new TrainingLoop.Settings(steps, 8, lr, 0, 0, 0.9, 1.0, 95, 50, 1000, dir, "test");
  }
}
