package io.distillery.mdt.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerProgress;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optimisation loop shared by teacher training and distillation: per step a loss computed
 * inside a {@code GradientCollector}, a NaN/inf check, adaptive global-norm clipping, AdamW with
 * warm-up, an EMA update, progress, and periodic checkpoints from which a new loop over the same
 * directory resumes exactly (weights, EMA, Adam moments, clip window, loss history; randomness
 * comes from {@link StepRandom} so it needs no saved state), if one verifies and was written by the
 * same run under the same settings ({@link ResumeRule}). On SIGTERM/SIGINT it checkpoints the step
 * it is on and stops ({@link Preemption}).
 *
 * <p>Only {@code weights} are optimised; anything else the loss uses (a teacher) is left alone.
 */
public final class TrainingLoop implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the loop needs from the configuration. */
  public record Settings(
      long maxSteps,
      int batchSize,
      double learningRate,
      double weightDecay,
      int warmupSteps,
      double emaRate,
      double clipMaxNorm,
      double clipPercentile,
      int clipWindow,
      int checkpointEverySteps,
      Path checkpointDir,
      RunFingerprint fingerprint) {

    /** Settings named {@code run} whose fingerprint covers the loop's own hyperparameters. */
    public Settings(
        long maxSteps,
        int batchSize,
        double learningRate,
        double weightDecay,
        int warmupSteps,
        double emaRate,
        double clipMaxNorm,
        double clipPercentile,
        int clipWindow,
        int checkpointEverySteps,
        Path checkpointDir,
        String run) {
      this(
          maxSteps,
          batchSize,
          learningRate,
          weightDecay,
          warmupSteps,
          emaRate,
          clipMaxNorm,
          clipPercentile,
          clipWindow,
          checkpointEverySteps,
          checkpointDir,
          new RunFingerprint(
              run,
              new TreeMap<>(
                  Map.of(
                      "hyperparameters.batchSize", String.valueOf(batchSize),
                      "hyperparameters.learningRate", String.valueOf(learningRate),
                      "hyperparameters.weightDecay", String.valueOf(weightDecay),
                      "hyperparameters.warmupSteps", String.valueOf(warmupSteps),
                      "hyperparameters.emaRate", String.valueOf(emaRate),
                      "hyperparameters.gradClip.maxNorm", String.valueOf(clipMaxNorm),
                      "hyperparameters.gradClip.percentile", String.valueOf(clipPercentile),
                      "hyperparameters.gradClip.window", String.valueOf(clipWindow)))));
    }

    /** The loop settings of {@code c}; the fingerprint covers all its training settings. */
    public static Settings from(TrainerConfig c, Path checkpointDir, String run) {
      TrainerConfig.Hyperparameters h = c.hyperparameters;
      return new Settings(
          h.maxSteps,
          h.batchSize,
          h.learningRate,
          h.weightDecay,
          h.warmupSteps,
          h.emaRate,
          h.gradClip.maxNorm,
          h.gradClip.percentile,
          h.gradClip.window,
          c.checkpointEverySteps,
          checkpointDir,
          RunFingerprint.of(run, c));
    }
  }

  /** The losses of one step: {@code total} is differentiated, {@code logged} is reported. */
  public record StepLosses(NDArray total, Map<String, NDArray> logged) {}

  /**
   * Computes one step's loss. Called inside a {@code GradientCollector}; arrays should be created
   * in {@code scope}, which is closed after the step. Draw randomness from {@link StepRandom} with
   * the given step index so that a resumed run repeats it.
   */
  @FunctionalInterface
  public interface StepLoss {
    StepLosses compute(NDManager scope, long step);
  }

  /** What a finished loop reports. */
  public record Summary(
      long startStep,
      long steps,
      Map<String, Double> finalLosses,
      double secondsPerStep,
      LossHistory history) {}

  private final Settings settings;
  private final Weights weights;
  private final AdamW adam;
  private final AdaptiveGradClip clip;
  private final Ema ema;
  private final Checkpoints checkpoints;
  private LossHistory history = new LossHistory();
  private long step;

  /**
   * Sets up the optimizer state and resumes from the newest checkpoint in the directory, if any.
   */
  public TrainingLoop(Settings settings, Weights weights) {
    this.settings = settings;
    this.weights = weights;
    this.adam =
        new AdamW(weights, settings.learningRate, settings.weightDecay, settings.warmupSteps);
    this.clip =
        new AdaptiveGradClip(settings.clipMaxNorm, settings.clipPercentile, settings.clipWindow);
    this.ema = new Ema(weights, settings.emaRate);
    this.checkpoints = new Checkpoints(settings.checkpointDir);
    ResumeRule.choose(checkpoints, settings.fingerprint, System.err::println)
        .ifPresent(this::resume);
  }

  /** Step the loop starts (or started) from: 0, or the resumed checkpoint's step. */
  public long step() {
    return step;
  }

  public Ema ema() {
    return ema;
  }

  public LossHistory history() {
    return history;
  }

  public Summary run(StepLoss loss, TrainingMonitor monitor) {
    long start = step;
    long began = System.nanoTime();
    weights.requireGradients(true);
    NDManager base = weights.manager();
    try (Preemption preemption = Preemption.watch()) {
      try {
        train(loss, monitor, base, start, began, preemption);
      } catch (TrainingDivergedException e) {
        recordDivergence(e);
        throw e;
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    long done = step - start;
    return new Summary(
        start, done, history.recentMean(20), done == 0 ? 0 : seconds / done, history);
  }

  /** Marks this run's checkpoints as diverged so that no later loop resumes them as healthy. */
  private void recordDivergence(TrainingDivergedException e) {
    try {
      checkpoints.recordDivergence(
          new DivergenceRecord(e.step(), e.getMessage(), settings.fingerprint));
    } catch (IOException io) {
      e.addSuppressed(io);
    }
  }

  private void train(
      StepLoss loss,
      TrainingMonitor monitor,
      NDManager base,
      long start,
      long began,
      Preemption preemption) {
    while (step < settings.maxSteps) {
      Map<String, Double> logged = new LinkedHashMap<>();
      try (NDManager scope = base.newSubManager()) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          StepLosses l = loss.compute(scope, step);
          l.logged().forEach((k, v) -> logged.put(k, (double) v.getFloat()));
          double total = l.total().getFloat();
          if (!Double.isFinite(total)) {
            throw diverged(logged, total);
          }
          collector.backward(l.total());
        }
        Map<String, NDArray> grads = Gradients.of(weights, scope);
        double norm = clip.clip(grads.values());
        logged.put("gradNorm", norm);
        adam.step(grads);
        Gradients.zero(weights);
      }
      step++;
      ema.update(weights, step);
      history.add(step, logged);
      monitor.update(progress(start, began, logged));
      boolean stop = preemption.requested(); // read once: a signal may arrive at any moment
      if (stop || step % settings.checkpointEverySteps == 0 || step == settings.maxSteps) {
        Path saved = saveCheckpoint();
        if (stop) {
          throw preempted(saved);
        }
      }
    }
  }

  /** Says (before the JVM may halt) where the run stopped and how it goes on. */
  private PreemptedException preempted(Path checkpoint) {
    String message =
        "stopped by SIGTERM/SIGINT after step "
            + step
            + " of "
            + settings.maxSteps
            + ": checkpoint written to "
            + checkpoint
            + "; running again with the same output resumes from it";
    System.err.println("mdt: " + message);
    System.err.flush();
    return new PreemptedException(step, message);
  }

  private TrainingDivergedException diverged(Map<String, Double> logged, double total) {
    return new TrainingDivergedException(
        step + 1,
        "training diverged at step "
            + (step + 1)
            + ": loss is "
            + total
            + " "
            + logged
            + "; no artifact was written (lower hyperparameters.learningRate or check the data; a"
            + " rerun with changed settings starts fresh)");
  }

  private TrainerProgress progress(long start, long began, Map<String, Double> losses) {
    TrainerProgress p = new TrainerProgress();
    p.phase = "training";
    p.step = step;
    p.maxSteps = settings.maxSteps;
    p.percent = 100.0 * step / settings.maxSteps;
    p.losses = new LinkedHashMap<>(losses);
    double seconds = (System.nanoTime() - began) / 1e9;
    long done = step - start;
    if (done > 0 && seconds > 0) {
      p.samplesPerSec = done * settings.batchSize / seconds;
      p.etaSeconds = (settings.maxSteps - step) * seconds / done;
    }
    p.updatedAtMillis = System.currentTimeMillis();
    return p;
  }

  private Path saveCheckpoint() {
    return checkpoints.save(
        step,
        dir -> {
          weights.save(dir.resolve("weights.safetensors"));
          ema.shadow().save(dir.resolve("ema.safetensors"));
          adam.save(dir);
          Map<String, Object> state = new LinkedHashMap<>();
          state.put("step", step);
          state.put("fingerprint", settings.fingerprint.run());
          state.put("settings", settings.fingerprint.settings());
          state.put("clip", clip.state());
          state.put("history", history);
          JSON.writeValue(dir.resolve("state.json").toFile(), state);
        });
  }

  private void resume(Checkpoints.Verified checkpoint) {
    Path dir = checkpoint.dir();
    var state = checkpoint.state();
    try {
      long saved = checkpoint.step();
      try (Weights w = Weights.load(dir.resolve("weights.safetensors"), weights.device());
          Weights e = Weights.load(dir.resolve("ema.safetensors"), weights.device())) {
        weights.copyFrom(w);
        ema.shadow().copyFrom(e);
      } catch (Weights.IncompatibleWeightsException e) {
        throw new IncompatibleCheckpointException("checkpoint " + dir + ": " + e.getMessage());
      }
      adam.restore(dir, saved);
      clip.restore(JSON.treeToValue(state.path("clip"), AdaptiveGradClip.State.class));
      history = JSON.treeToValue(state.path("history"), LossHistory.class);
      step = saved;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot resume from checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    adam.close();
    ema.close();
  }
}
