package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {

  private static TrainingLoop.Settings settings(long maxSteps, int every, Path dir) {
    return new TrainingLoop.Settings(
        maxSteps, 8, 3e-3, 0.01, 3, 0.9, 1.0, 90, 4, every, dir, "test teacher");
  }

  private static TrainingLoop.Settings withLearningRate(TrainingLoop.Settings s, double lr) {
    return new TrainingLoop.Settings(
        s.maxSteps(),
        8,
        lr,
        0.01,
        3,
        0.9,
        1.0,
        90,
        4,
        s.checkpointEverySteps(),
        s.checkpointDir(),
        "test teacher");
  }

  /** Trains {@code steps} steps into {@code dir} with a checkpoint every 2 steps. */
  private static void train(Path dir, long steps) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(steps, 2, dir), m.weights())) {
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
    }
  }

  /** The step a new loop over {@code settings} resumes from, and what it said on stderr. */
  private record Resumed(long step, String stderr) {}

  private static Resumed resume(TrainingLoop.Settings settings) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 99, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings, m.weights())) {
      return new Resumed(loop.step(), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private static void flipOneBit(Path file) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() - 5; // in the tensor data, past the safetensors header
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }

  private static FlowMatchingLoss loss(FlowTransformer m, TrainingData data) {
    return new FlowMatchingLoss(m, data, 8, 0.2, 1.0, 1.0, 11);
  }

  @Test
  void flowMatchingLossFalls(@TempDir Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(80, 1000, dir), m.weights())) {
      List<Double> seen = new ArrayList<>();
      TrainingLoop.Summary s =
          loop.run(loss(m, new SyntheticData(24)), p -> seen.add(p.losses.get("fm")));
      assertThat(s.steps()).isEqualTo(80);
      double first = seen.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
      double last = seen.subList(70, 80).stream().mapToDouble(d -> d).average().orElseThrow();
      assertThat(last).isLessThan(0.75 * first);
      // The EMA lags the raw weights but has moved away from the initial (zero) output layer.
      assertThat(loop.ema().shadow().get("final_layer.linear.weight").abs().sum().getFloat())
          .isGreaterThan(0f);
    }
  }

  @Test
  void resumingHalfWayGivesExactlyTheWeightsOfAStraightRun(@TempDir Path dir) throws Exception {
    int n = 8;
    float[] straight;
    float[] straightEma;
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(n, 1000, dir.resolve("a")), m.weights())) {
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
      straight = m.weights().get("blocks.0.attn.to_qkv.weight").toFloatArray();
      straightEma = loop.ema().shadow().get("final_layer.linear.weight").toFloatArray();
    }
    Path b = dir.resolve("b");
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(n / 2, n / 2, b), m.weights())) {
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
    }
    assertThat(Files.isDirectory(b.resolve("step-00000004"))).isTrue();
    // A fresh process: new model object from another seed, everything restored from the checkpoint.
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 99, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(n, n / 2, b), m.weights())) {
      assertThat(loop.step()).isEqualTo(n / 2);
      TrainingLoop.Summary s = loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
      assertThat(s.startStep()).isEqualTo(n / 2);
      assertThat(s.history().steps).hasSize(n);
      assertThat(m.weights().get("blocks.0.attn.to_qkv.weight").toFloatArray())
          .containsExactly(straight);
      assertThat(loop.ema().shadow().get("final_layer.linear.weight").toFloatArray())
          .containsExactly(straightEma);
    }
  }

  @Test
  void aCheckpointOfAnotherRunKindIsRefusedByName(@TempDir Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(2, 2, dir), m.weights())) {
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
    }
    TrainingLoop.Settings other =
        new TrainingLoop.Settings(4, 8, 3e-3, 0, 0, 0.9, 1.0, 90, 4, 2, dir, "a student");
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      assertThatThrownBy(() -> new TrainingLoop(other, m.weights()))
          .isInstanceOf(IncompatibleCheckpointException.class)
          .hasMessageContaining("test teacher");
    }
  }

  @Test
  void nonFiniteLossStopsWithAClearMessageAndNoCheckpoint(@TempDir Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(5, 1, dir), m.weights())) {
      SyntheticData poisoned = new SyntheticData(24, Float.NaN);
      assertThatThrownBy(() -> loop.run(loss(m, poisoned), TrainingMonitor.none()))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("diverged at step 1")
          .hasMessageContaining("NaN");
      assertThat(new Checkpoints(dir).latest()).isEmpty();
    }
  }

  @Test
  void progressReportsStepsLossesAndEta(@TempDir Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(3, 1000, dir), m.weights())) {
      List<io.distillery.config.TrainerProgress> seen = new ArrayList<>();
      loop.run(loss(m, new SyntheticData(24)), seen::add);
      assertThat(seen).extracting(p -> p.step).containsExactly(1L, 2L, 3L);
      assertThat(seen.get(2).percent).isEqualTo(100.0);
      assertThat(seen.get(0).losses).containsKeys("fm", "gradNorm");
      assertThat(seen.get(0).etaSeconds).isNotNull().isPositive();
      assertThat(seen.get(2).samplesPerSec).isPositive();
      assertThat(Map.copyOf(seen.get(2).losses).get("fm")).isFinite();
    }
  }

  @Test
  void aCheckpointWithOneFlippedBitIsNotResumed(@TempDir Path dir) throws Exception {
    train(dir, 4);
    flipOneBit(dir.resolve("step-00000004/weights.safetensors"));
    Resumed r = resume(settings(4, 2, dir));
    assertThat(r.step()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("step-00000004")
        .contains("weights.safetensors")
        .contains("resuming from step 2");
    assertThat(r.stderr().lines()).hasSize(1);
    assertThat(dir.resolve("corrupt-step-00000004")).isDirectory();
    // Training on from step 2 ends where an untouched run ends: nothing of the bad one is used.
    float[] straight;
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(4, 2, dir.resolve("a")), m.weights())) {
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
      straight = m.weights().get("blocks.0.attn.to_qkv.weight").toFloatArray();
    }
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 99, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(4, 2, dir), m.weights())) {
      assertThat(loop.step()).isEqualTo(2);
      loop.run(loss(m, new SyntheticData(24)), TrainingMonitor.none());
      assertThat(m.weights().get("blocks.0.attn.to_qkv.weight").toFloatArray())
          .containsExactly(straight);
    }
  }

  @Test
  void theNextCheckpointDeletesWhatAKilledWriteLeft(@TempDir Path dir) throws Exception {
    train(dir, 2);
    // What a process SIGKILLed in the middle of a checkpoint write leaves behind.
    Path killed = Files.createDirectories(dir.resolve(".tmp-step-4711"));
    Files.writeString(killed.resolve("weights.safetensors"), "half a file");
    train(dir, 4);
    assertThat(killed).doesNotExist();
    assertThat(dir.resolve("step-00000004")).isDirectory();
  }

  @Test
  void aCheckpointWithoutDigestsIsNotTrusted(@TempDir Path dir) throws Exception {
    train(dir, 4);
    Files.delete(dir.resolve("step-00000004/" + CheckpointDigests.FILE));
    Resumed r = resume(settings(4, 2, dir));
    assertThat(r.step()).isEqualTo(2);
    assertThat(r.stderr()).contains("step-00000004").contains("no SHA256SUMS");
  }

  @Test
  void aTruncatedNewestCheckpointFallsBackToThePreviousOne(@TempDir Path dir) throws Exception {
    train(dir, 4);
    Path weights = dir.resolve("step-00000004/weights.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    Resumed r = resume(settings(4, 2, dir));
    assertThat(r.step()).isEqualTo(2);
    assertThat(r.stderr()).contains("step-00000004").contains("corrupt");
  }

  @Test
  void anEmptyStateJsonIsCorruptNotIncompatible(@TempDir Path dir) throws Exception {
    train(dir, 4);
    Files.writeString(dir.resolve("step-00000004/state.json"), "");
    Resumed r = resume(settings(4, 2, dir));
    assertThat(r.step()).isEqualTo(2);
    assertThat(r.stderr()).contains("step-00000004").contains("corrupt").contains("state.json");
  }

  @Test
  void whenNoCheckpointVerifiesTheRunStartsFreshAndSaysSo(@TempDir Path dir) throws Exception {
    train(dir, 4);
    Files.writeString(dir.resolve("step-00000004/state.json"), "");
    flipOneBit(dir.resolve("step-00000002/ema.safetensors"));
    Resumed r = resume(settings(4, 2, dir));
    assertThat(r.step()).isZero();
    assertThat(r.stderr())
        .contains("step-00000004")
        .contains("step-00000002")
        .contains("starting fresh");
  }

  /** Trains into {@code dir} with checkpoints at 2 and 4 and diverges in step 6. */
  private static void trainAndDiverge(Path dir) {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        TrainingLoop loop = new TrainingLoop(settings(8, 2, dir), m.weights())) {
      FlowMatchingLoss fm = loss(m, new SyntheticData(24));
      TrainingLoop.StepLoss watched =
          (scope, step) -> {
            if (step == 5) {
              throw new TrainingDivergedException(6, "diverged at step 6 (test watchdog)");
            }
            return fm.compute(scope, step);
          };
      assertThatThrownBy(() -> loop.run(watched, TrainingMonitor.none()))
          .isInstanceOf(TrainingDivergedException.class);
    }
    assertThat(new Checkpoints(dir).latest()).isPresent();
  }

  @Test
  void afterADivergenceALowerLearningRateStartsFreshInsteadOfResumingTheDivergedState(
      @TempDir Path dir) {
    trainAndDiverge(dir);
    Resumed r = resume(withLearningRate(settings(8, 2, dir), 1e-3));
    assertThat(r.step()).isZero();
    assertThat(r.stderr())
        .contains("diverged at step 6")
        .contains("hyperparameters.learningRate")
        .contains("starting fresh");
    assertThat(new Checkpoints(dir).latest()).isEmpty();
    // The fresh run's own checkpoints resume normally.
    train(dir, 2);
    assertThat(resume(settings(2, 2, dir)).step()).isEqualTo(2);
  }

  @Test
  void afterADivergenceTheSameSettingsStopAgainWithoutTraining(@TempDir Path dir) {
    trainAndDiverge(dir);
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      assertThatThrownBy(() -> new TrainingLoop(settings(8, 2, dir), m.weights()))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("diverged at step 6")
          .hasMessageContaining("hyperparameters.learningRate");
    }
  }

  @Test
  void aChangedLearningRateIsRefusedNamingTheFieldAndTheWayOut(@TempDir Path dir) {
    train(dir, 2);
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      assertThatThrownBy(
              () -> new TrainingLoop(withLearningRate(settings(4, 2, dir), 1e-3), m.weights()))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("hyperparameters.learningRate")
          .hasMessageContaining("0.003")
          .hasMessageContaining("0.001")
          .hasMessageContaining("output");
    }
  }
}
