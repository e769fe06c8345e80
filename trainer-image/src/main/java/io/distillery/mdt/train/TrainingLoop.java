package io.distillery.mdt.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerProgress;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Scalars;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
 *
 * <p>Data parallel (docs/architecture.md, "Data-parallel training"): given one copy of the weights
 * per device (replica 0 the master), each step splits the global batch into {@link Shard}s, runs
 * forward and backward of each replica's shard (one thread per replica when they sit on distinct
 * GPUs, in turn otherwise), sums the replicas' gradients into the master's, clips, steps AdamW and
 * the EMA once on the master and copies the master's weights back to the other replicas. Each
 * shard's loss is weighted by its share of the global batch, so the summed gradient, the logged
 * losses and the divergence checks are those of one replica computing the whole batch.
 *
 * <p>Mixed precision (docs/architecture.md, "Mixed precision"): given float32 master weights apart
 * from float16 replicas, the replicas compute forward and backward in float16 on a loss scaled by
 * {@link LossScale}; their gradients are widened to float32, summed and unscaled, and clipping,
 * AdamW, the EMA and checkpoints work on the float32 master as above. A step whose float16
 * gradients overflowed is skipped (no optimiser step, gradNorm logged as 0) and the scale halved.
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

  /**
   * The losses of one step (or one shard of it): {@code total} is differentiated, {@code logged} is
   * reported; {@code share} is the shard's weight in the global batch's mean (1 for a whole batch):
   * the loop sums {@code share * loss} over the replicas.
   */
  public record StepLosses(NDArray total, Map<String, NDArray> logged, double share) {
    public StepLosses(NDArray total, Map<String, NDArray> logged) {
      this(total, logged, 1.0);
    }
  }

  /**
   * Computes one step's loss. Called with autograd recording on; arrays should be created in {@code
   * scope} (on the replica's device), which is closed after the step. Draw randomness from {@link
   * StepRandom} with the given step index so that a resumed run repeats it.
   */
  @FunctionalInterface
  public interface StepLoss {
    StepLosses compute(NDManager scope, long step);

    /**
     * The loss of {@code shard}'s slice of the step's global batch, computed with the models of
     * replica {@code shard.replica()}. A loss that does not override this trains on one replica
     * only.
     */
    default StepLosses compute(NDManager scope, long step, Shard shard) {
      if (!shard.isWhole()) {
        throw new IllegalStateException(
            getClass().getSimpleName() + " cannot split its batch over replicas");
      }
      return compute(scope, step);
    }

    /**
     * Sees the step's logged losses (summed over the replicas) before the optimiser steps; may
     * throw {@link TrainingDivergedException} to stop the run there.
     */
    default void observe(long step, Map<String, Double> logged) {}
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
  private final List<Weights> replicas;
  private final boolean separateMaster;
  private final LossScale lossScale;
  private final AdamW adam;
  private final AdaptiveGradClip clip;
  private final Ema ema;
  private final Checkpoints checkpoints;
  private LossHistory history = new LossHistory();
  private long step;
  private boolean threadPerReplica;

  /**
   * Sets up the optimizer state and resumes from the newest checkpoint in the directory, if any.
   */
  public TrainingLoop(Settings settings, Weights weights) {
    this(settings, List.of(weights));
  }

  /**
   * A data-parallel loop over {@code replicas}, one copy of the same architecture per device; the
   * first is the master (optimised, checkpointed, EMA'd), the others are overwritten with its
   * weights before the first step and after every step.
   *
   * @throws IllegalArgumentException when the global batch is smaller than the replica count
   */
  public TrainingLoop(Settings settings, List<Weights> replicas) {
    this(settings, replicas.get(0), replicas);
  }

  /**
   * A loop that optimises {@code master} and computes with {@code replicas}, one per device: the
   * replicas themselves when the master is the first of them, else float16 copies of a float32
   * master (mixed precision, with loss scaling).
   *
   * @throws IllegalArgumentException when the global batch is smaller than the replica count, or a
   *     separate master is not float32
   */
  public TrainingLoop(Settings settings, Weights master, List<Weights> replicas) {
    if (replicas.isEmpty() || settings.batchSize < replicas.size()) {
      throw new IllegalArgumentException(
          "hyperparameters.batchSize "
              + settings.batchSize
              + " is smaller than the "
              + replicas.size()
              + " replica(s), one per device: each device needs at least one sample");
    }
    this.separateMaster = master != replicas.get(0);
    if (separateMaster && master.dataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "mixed precision needs float32 master weights, got " + master.dataType());
    }
    this.settings = settings;
    this.weights = master;
    this.replicas = List.copyOf(replicas);
    this.lossScale = replicas.get(0).dataType() == DataType.FLOAT16 ? new LossScale() : null;
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

  /** The devices of the replicas, master first. */
  public List<Device> devices() {
    return replicas.stream().map(Weights::device).toList();
  }

  public Summary run(StepLoss loss, TrainingMonitor monitor) {
    long start = step;
    long began = System.nanoTime();
    broadcast();
    for (Weights r : replicas) {
      r.requireGradients(true);
    }
    ExecutorService threads = concurrent() ? Executors.newFixedThreadPool(replicas.size()) : null;
    try (Preemption preemption = Preemption.watch()) {
      try {
        train(loss, monitor, threads, start, began, preemption);
      } catch (TrainingDivergedException e) {
        recordDivergence(e);
        throw e;
      }
    } finally {
      if (threads != null) {
        threads.shutdownNow();
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
      ExecutorService threads,
      long start,
      long began,
      Preemption preemption) {
    List<Shard> shards = Shard.split(settings.batchSize, replicas.size());
    while (step < settings.maxSteps) {
      List<NDManager> scopes = new ArrayList<>(replicas.size());
      try {
        for (Weights r : replicas) {
          scopes.add(r.manager().newSubManager());
        }
        double lossFactor = lossScale == null ? 1 : lossScale.scale();
        List<ReplicaLosses> each = forwardBackward(loss, scopes, shards, threads, lossFactor);
        Map<String, Double> logged = new LinkedHashMap<>();
        double total = 0;
        for (ReplicaLosses r : each) {
          r.logged().forEach((k, v) -> logged.merge(k, r.share() * v, Double::sum));
          total += r.share() * r.total();
        }
        if (!Double.isFinite(total)) {
          throw diverged(logged, total);
        }
        loss.observe(step, logged);
        Map<String, NDArray> grads = summedGradients(scopes, lossFactor);
        if (lossScale == null || lossScale.update(allFinite(grads), step + 1)) {
          logged.put("gradNorm", clip.clip(grads.values()));
          adam.step(grads);
        } else {
          logged.put("gradNorm", 0.0); // skipped: float16 gradients overflowed
        }
        if (lossScale != null) {
          logged.put("lossScale", lossFactor);
        }
        for (Weights r : replicas) {
          Gradients.zero(r);
        }
        step++;
        ema.update(weights, step);
        broadcast();
        history.add(step, logged);
        monitor.update(progress(start, began, logged));
      } finally {
        scopes.forEach(NDManager::close);
      }
      boolean stop = preemption.requested(); // read once: a signal may arrive at any moment
      if (stop || step % settings.checkpointEverySteps == 0 || step == settings.maxSteps) {
        Path saved = saveCheckpoint();
        if (stop) {
          throw preempted(saved);
        }
      }
    }
  }

  /** A replica's losses as host scalars: the only per-step copies to the host. */
  private record ReplicaLosses(double total, Map<String, Double> logged, double share) {}

  /** Replicas on distinct accelerators run concurrently; CPU replicas share the CPU's threads. */
  private boolean concurrent() {
    return replicas.size() > 1
        && (threadPerReplica
            || replicas.stream().map(Weights::device).distinct().count() == replicas.size()
                && replicas.get(0).device().isGpu());
  }

  /** Runs the replicas on threads of their own even on the CPU: tests the GPUs' code path. */
  TrainingLoop threadPerReplica() {
    this.threadPerReplica = true;
    return this;
  }

  private List<ReplicaLosses> forwardBackward(
      StepLoss loss,
      List<NDManager> scopes,
      List<Shard> shards,
      ExecutorService threads,
      double lossFactor) {
    List<ReplicaLosses> out = new ArrayList<>(replicas.size());
    if (threads == null) {
      for (int r = 0; r < replicas.size(); r++) {
        // One collector at a time: DJL's PyTorch collector is process-wide exclusive.
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          StepLosses l = loss.compute(scopes.get(r), step, shards.get(r));
          ReplicaLosses read = read(l);
          if (Double.isFinite(read.total())) {
            collector.backward(scaled(l, lossFactor));
          }
          out.add(read);
        }
      }
      return out;
    }
    List<Future<ReplicaLosses>> futures = new ArrayList<>(replicas.size());
    long at = step;
    for (int r = 0; r < replicas.size(); r++) {
      NDManager scope = scopes.get(r);
      Shard shard = shards.get(r);
      futures.add(threads.submit(() -> onThisThread(loss, scope, at, shard, lossFactor)));
    }
    // Every replica finishes before anything is rethrown: the step's scopes close right after.
    RuntimeException failed = null;
    for (Future<ReplicaLosses> f : futures) {
      try {
        out.add(f.get());
      } catch (ExecutionException e) {
        RuntimeException cause =
            e.getCause() instanceof RuntimeException re
                ? re
                : new IllegalStateException(e.getCause());
        if (failed == null) {
          failed = cause;
        } else {
          failed.addSuppressed(cause);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while replicas were training", e);
      }
    }
    if (failed != null) {
      throw failed;
    }
    return out;
  }

  /**
   * Forward and backward of one replica on a worker thread. Autograd's recording switch is per
   * thread, and DJL's collector allows one at a time in the process, so the thread turns recording
   * on itself and calls libtorch's backward directly.
   */
  private static ReplicaLosses onThisThread(
      StepLoss loss, NDManager scope, long step, Shard shard, double lossFactor) {
    boolean was = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try {
      StepLosses l = loss.compute(scope, step, shard);
      ReplicaLosses read = read(l);
      if (Double.isFinite(read.total())) {
        NDArray total = scaled(l, lossFactor);
        NDArray seed = total.onesLike();
        JniUtils.backward((PtNDArray) total, (PtNDArray) seed, false, false);
      }
      return read;
    } finally {
      JniUtils.setGradMode(was);
    }
  }

  private static ReplicaLosses read(StepLosses l) {
    Map<String, Double> logged = new LinkedHashMap<>();
    l.logged().forEach((k, v) -> logged.put(k, (double) v.getFloat()));
    return new ReplicaLosses(l.total().getFloat(), logged, l.share());
  }

  /**
   * The shard's loss weighted by its share of the batch (untouched for a whole batch) and by the
   * loss scale of float16 training.
   */
  private static NDArray scaled(StepLosses l, double lossFactor) {
    if (lossFactor != 1) {
      return Scalars.mul(l.total(), l.share() * lossFactor);
    }
    return l.share() == 1.0 ? l.total() : l.total().mul(l.share());
  }

  /**
   * The gradient of the master's weights: the first replica's with every other replica's added in,
   * replica order; with a separate float32 master, the replicas' gradients widened to float32,
   * summed and divided by the loss scale.
   */
  private Map<String, NDArray> summedGradients(List<NDManager> scopes, double lossFactor) {
    if (separateMaster) {
      return widenedGradients(scopes, lossFactor);
    }
    Map<String, NDArray> grads = Gradients.of(weights, scopes.get(0));
    Device master = weights.device();
    for (int r = 1; r < replicas.size(); r++) {
      Map<String, NDArray> other = Gradients.of(replicas.get(r), scopes.get(r));
      for (Map.Entry<String, NDArray> e : other.entrySet()) {
        NDArray g = grads.get(e.getKey());
        if (g == null) {
          throw new IllegalStateException(
              "replica " + r + " has a gradient for " + e.getKey() + " that the master lacks");
        }
        g.addi(e.getValue().toDevice(master, false));
      }
    }
    return grads;
  }

  private Map<String, NDArray> widenedGradients(List<NDManager> scopes, double lossFactor) {
    Map<String, NDArray> sum = new LinkedHashMap<>();
    Device master = weights.device();
    try (NoGrad ignored = NoGrad.enter()) {
      for (int r = 0; r < replicas.size(); r++) {
        for (Map.Entry<String, NDArray> e :
            Gradients.of(replicas.get(r), scopes.get(r)).entrySet()) {
          NDArray g = e.getValue().toType(DataType.FLOAT32, true).toDevice(master, false);
          g.attach(scopes.get(0));
          NDArray before = sum.putIfAbsent(e.getKey(), g);
          if (before != null) {
            before.addi(g);
          }
        }
      }
      if (lossFactor != 1) {
        sum.values().forEach(g -> g.divi(lossFactor));
      }
    }
    return sum;
  }

  /** Whether every gradient is finite: one host read for all of them. */
  private static boolean allFinite(Map<String, NDArray> grads) {
    if (grads.isEmpty()) {
      return true;
    }
    try (NoGrad ignored = NoGrad.enter();
        NDManager local = grads.values().iterator().next().getManager().newSubManager()) {
      NDList sums = new NDList(grads.size());
      for (NDArray g : grads.values()) {
        g.tempAttach(local);
        sums.add(g.sum());
      }
      return Float.isFinite(NDArrays.stack(sums).sum().getFloat());
    }
  }

  /** Makes every replica hold the master's weights. */
  private void broadcast() {
    for (int r = separateMaster ? 0 : 1; r < replicas.size(); r++) {
      replicas.get(r).copyFrom(weights);
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
    p.devices = devices().stream().map(Device::toString).toList();
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
          if (lossScale != null) {
            state.put("lossScale", lossScale.state());
            state.put("adamSteps", adam.steps()); // behind the step count by the skipped steps
          }
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
      adam.restore(dir, state.path("adamSteps").asLong(saved));
      if (lossScale != null && state.has("lossScale")) {
        lossScale.restore(JSON.treeToValue(state.path("lossScale"), LossScale.State.class));
      }
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
