package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.FlowModels;
import io.distillery.mdt.model.Precision;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 item 4: float16 compute replicas of float32 master weights, with dynamic loss scaling,
 * train a tiny model to the loss float32 training reaches over a few hundred steps; the master, the
 * EMA and the checkpoints stay float32, and a resumed float16 run is the uninterrupted one.
 */
class MixedPrecisionTest {
  static final int STEPS = 300;

  /**
   * Observed on the development VM: the mean loss of the last 100 of 300 steps differs between fp16
   * and fp32 by a few percent (the figures are printed); the bound leaves room for other CPUs.
   */
  static final double LOSS_PARITY = 0.10;

  @TempDir Path dir;

  private record Run(List<Double> loss, List<Double> lossScale, float[] ema) {}

  private static TrainingLoop.Settings settings(long steps, int batch, Path dir) {
    return new TrainingLoop.Settings(
        steps, batch, 2e-3, 0.01, 20, 0.99, 1.0, 90, 50, 100, dir, "mixed precision test");
  }

  private Run train(
      TrainerConfig.Stage stage,
      TrainingData data,
      Precision precision,
      int replicas,
      long steps,
      String name)
      throws IOException {
    var spec = DataParallelTest.tinySpec(stage);
    List<Device> devices = Collections.nCopies(replicas, Device.cpu());
    try (ReplicaModels models =
            ReplicaModels.on(
                devices,
                precision,
                d -> FlowModels.create(stage, spec, 1, d),
                w -> FlowModels.withWeights(stage, spec, w));
        TrainingLoop loop = models.loop(settings(steps, 6, dir.resolve(name)))) {
      for (VelocityModel m : models.models()) {
        assertThat(m.weights().dataType()).isEqualTo(precision.dataType());
      }
      assertThat(models.master().weights().dataType()).isEqualTo(DataType.FLOAT32);
      FlowMatchingLoss loss = new FlowMatchingLoss(models.models(), data, 6, 0.2, 1.0, 1.0, 11);
      TrainingLoop.Summary s = loop.run(loss, TrainingMonitor.none());
      assertThat(loop.ema().shadow().dataType()).isEqualTo(DataType.FLOAT32);
      return new Run(
          s.history().values.get("fm"),
          s.history().values.get("lossScale"),
          DataParallelTest.flat(loop.ema().shadow()));
    }
  }

  private static double tailMean(List<Double> loss, int n) {
    return loss.subList(loss.size() - n, loss.size()).stream()
        .mapToDouble(d -> d)
        .average()
        .orElseThrow();
  }

  @Test
  void float16TrainsTheDenseModelToTheLossOfFloat32() throws IOException {
    SyntheticData data = new SyntheticData(24);
    Run full = train(TrainerConfig.Stage.STRUCTURE, data, Precision.FP32, 1, STEPS, "fp32");
    Run half = train(TrainerConfig.Stage.STRUCTURE, data, Precision.FP16, 1, STEPS, "fp16");
    assertParity(full, half, "dense");
  }

  @Test
  void float16TrainsTheSparseModelToTheLossOfFloat32() throws IOException {
    TrainingData data = DataParallelTest.raggedAppearance(12);
    Run full = train(TrainerConfig.Stage.APPEARANCE, data, Precision.FP32, 1, 200, "a32");
    Run half = train(TrainerConfig.Stage.APPEARANCE, data, Precision.FP16, 2, 200, "a16");
    assertParity(full, half, "sparse, 2 float16 replicas");
  }

  private static void assertParity(Run full, Run half, String what) {
    double first = tailMean(full.loss().subList(0, 10), 10);
    double a = tailMean(full.loss(), 100);
    double b = tailMean(half.loss(), 100);
    System.out.printf(
        "mixed precision (%s): first-10 loss %.4f; last-100 mean fp32 %.4f, fp16 %.4f (%.2f%%);"
            + " loss scale %s -> %s%n",
        what,
        first,
        a,
        b,
        100 * (b - a) / a,
        half.lossScale().get(0),
        half.lossScale().get(half.lossScale().size() - 1));
    assertThat(a).as("fp32 learns").isLessThan(0.8 * first);
    assertThat(Math.abs(b - a)).as("fp16 reaches fp32's loss").isLessThan(LOSS_PARITY * a);
    assertThat(full.lossScale()).as("fp32 has no loss scale").isNull();
    assertThat(half.lossScale()).allMatch(v -> v >= 1);
    for (float w : half.ema()) {
      assertThat(Float.isFinite(w)).isTrue();
    }
  }

  /**
   * Loss scale and the optimiser's own step count (behind by the skipped steps) are checkpointed.
   */
  @Test
  void aResumedFloat16RunIsTheUninterruptedOne() throws IOException {
    SyntheticData data = new SyntheticData(24);
    Run whole = train(TrainerConfig.Stage.STRUCTURE, data, Precision.FP16, 1, 200, "whole");
    train(TrainerConfig.Stage.STRUCTURE, data, Precision.FP16, 1, 100, "resumed");
    Run resumed = train(TrainerConfig.Stage.STRUCTURE, data, Precision.FP16, 1, 200, "resumed");
    assertThat(resumed.loss()).isEqualTo(whole.loss());
    assertThat(resumed.lossScale()).isEqualTo(whole.lossScale());
    assertThat(resumed.ema()).isEqualTo(whole.ema());
  }
}
