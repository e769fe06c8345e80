package io.distillery.mdt.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.AdamW;
import io.distillery.mdt.train.AdaptiveGradClip;
import io.distillery.mdt.train.Ema;
import io.distillery.mdt.train.Gradients;
import io.distillery.mdt.train.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a training step's time goes (issue 19): samples/s of the real {@link TrainingLoop}, the
 * share of the step in each network's forward and backward passes and in the optimiser, and the
 * network's achieved FLOP rate against a matrix-product peak measured in the same process.
 *
 * <p>Two passes over the same workload. First the real loop runs warm-up steps and then timed steps
 * (its step time and samples/s). Then the same step is replayed by hand, piece by piece, with the
 * same loss, batch draws and optimiser classes, timing each piece: the loss's network calls (by
 * {@link TimedModel}), the rest of the loss (data, noise, objective arithmetic, the loop's host
 * reads of the losses), backward, gradient clipping, AdamW and EMA. The shares are of that replayed
 * step; its time beside the loop's shows what the instrumentation costs.
 */
public final class TrainingThroughput {
  /** Keys of {@link Result#msPerStep} and {@link Result#fractions}, in table order. */
  public static final List<String> COMPONENTS =
      List.of(
          "teacherForward",
          "trainedForward",
          "trainedForwardNoGrad",
          "trainedBackward",
          "gradClip",
          "adamW",
          "ema",
          "other");

  private static final Map<String, String> LABELS =
      Map.of(
          "teacherForward", "teacher fwd",
          "trainedForward", "trained fwd",
          "trainedForwardNoGrad", "trained fwd, no grad",
          "trainedBackward", "trained bwd",
          "gradClip", "clip",
          "adamW", "AdamW",
          "ema", "EMA",
          "other", "other");

  /** What the table's columns mean, below it in the benchmarks file. */
  public static final String LEGEND =
      "Columns: samples/s and ms/step of the real training loop (TrainingLoop, the median step"
          + " after the warm-up); ms/step (replayed): the same step taken piece by piece with a"
          + " timer around each piece, the sum of the pieces' medians. Each share is of the"
          + " replayed step, with its median time: teacher fwd = the frozen teacher's calls (no gradient);"
          + " trained fwd = the trained network's calls that record a graph; trained fwd, no grad ="
          + " its calls without one (targets), and those of an EMA target copy; trained bwd ="
          + " backward (autograd through the networks and the loss); clip = reading the gradients"
          + " and adaptive global-norm clipping; AdamW = the update and zeroing the gradients; EMA"
          + " = the EMA update; other = the rest of the step: batch draw, noise and times, the"
          + " objective's arithmetic outside the networks, the loop's host reads of the losses,"
          + " freeing the step's arrays. GFLOP/step counts the networks' matrix products from"
          + " their layer shapes (forward, and twice that for each backward); GFLOP/s (step) ="
          + " those over the loop's step time, GFLOP/s (networks) = over the time in the networks'"
          + " forward and backward passes; matmul peak = the fastest libtorch product, in the"
          + " same process, of the trained network's largest per-token layer at the batch's"
          + " token count; step / peak = GFLOP/s (step) over it.\n";

  private TrainingThroughput() {}

  /** One kind of training step over networks wrapped in {@link TimedModel}s. */
  public interface Workload extends AutoCloseable {
    /** The row's name, e.g. {@code teacher training}. */
    String name();

    /** The trained network's architecture (its FLOPs and its largest layer). */
    TrainerConfig.ModelSpec spec();

    /** The weights the step optimises. */
    Weights trained();

    /** Every network the loss calls. */
    List<TimedModel> networks();

    /** The step's loss; {@code emaShadow} is the EMA of {@link #trained} (a target network's). */
    TrainingLoop.StepLoss loss(Weights emaShadow);

    @Override
    void close();
  }

  /**
   * What one workload measured. Times are medians over the timed steps (the shared machine's
   * scheduling hiccups land in a few steps); the replayed step is the sum of its pieces' medians,
   * and the fractions are of it.
   */
  public record Result(
      String workload,
      int batchSize,
      long parameters,
      int warmupSteps,
      int timedSteps,
      double loopMsPerStep,
      double samplesPerSec,
      double accountedMsPerStep,
      Map<String, Double> msPerStep,
      Map<String, Double> fractions,
      double gflopPerStep,
      double gflopsOfStep,
      double gflopsInNetworks,
      String peakLayer,
      MatmulPeak.Peak peak) {

    /** The step's achieved rate as a fraction of the matmul peak. */
    @com.fasterxml.jackson.annotation.JsonProperty("fractionOfPeak")
    public double fractionOfPeak() {
      return gflopsOfStep / peak.gflops();
    }
  }

  /**
   * Runs {@code warmup} then {@code steps} steps of the real loop (checkpoints in a scratch
   * directory under {@code scratch}, removed afterwards), then replays {@code steps} steps piece by
   * piece, then measures the matmul peak of the trained network's largest layer at the batch's
   * token count.
   */
  public static Result measure(
      Workload w, TrainerConfig.Hyperparameters h, int warmup, int steps, Path scratch)
      throws IOException {
    if (warmup < 1 || steps < 1) {
      throw new IllegalArgumentException("needs at least one warm-up and one timed step");
    }
    double loopMs = timeLoop(w, h, warmup, steps, scratch);
    Accounting a = replay(w, h, steps);
    long tokens = NetworkFlops.tokens(w.spec()) * h.batchSize;
    NetworkFlops.Layer layer = NetworkFlops.largestTokenLayer(w.spec());
    MatmulPeak.Peak peak =
        MatmulPeak.measure(w.trained().device(), tokens, layer.in(), layer.out(), 1.0);
    double networkSeconds =
        (a.ms.get("teacherForward")
                + a.ms.get("trainedForward")
                + a.ms.get("trainedForwardNoGrad")
                + a.ms.get("trainedBackward"))
            / 1e3;
    double gflop = a.flopsPerStep / 1e9;
    return new Result(
        w.name(),
        h.batchSize,
        w.trained().parameterCount(),
        warmup,
        steps,
        loopMs,
        h.batchSize / (loopMs / 1e3),
        a.totalMs,
        a.ms,
        fractions(a.ms, a.totalMs),
        gflop,
        gflop / (loopMs / 1e3),
        networkSeconds > 0 ? gflop / networkSeconds : 0,
        layer.name() + " " + layer.in() + "x" + layer.out(),
        peak);
  }

  /** Each component's share of {@code total}. */
  static Map<String, Double> fractions(Map<String, Double> ms, double total) {
    Map<String, Double> f = new LinkedHashMap<>();
    ms.forEach((k, v) -> f.put(k, total > 0 ? v / total : 0));
    return f;
  }

  /** Median milliseconds per step of the real loop after {@code warmup} steps. */
  private static double timeLoop(
      Workload w, TrainerConfig.Hyperparameters h, int warmup, int steps, Path scratch)
      throws IOException {
    Files.createDirectories(scratch);
    Path dir = Files.createTempDirectory(scratch, "throughput-");
    long[] at = new long[warmup + steps];
    int[] seen = {0};
    TrainingLoop.Settings settings =
        new TrainingLoop.Settings(
            warmup + steps,
            h.batchSize,
            h.learningRate,
            h.weightDecay,
            h.warmupSteps,
            h.emaRate,
            h.gradClip.maxNorm,
            h.gradClip.percentile,
            h.gradClip.window,
            Integer.MAX_VALUE,
            dir,
            "training throughput: " + w.name());
    try (TrainingLoop loop = new TrainingLoop(settings, w.trained())) {
      TrainingMonitor clock =
          p -> {
            if (seen[0] < at.length) {
              at[seen[0]++] = System.nanoTime();
            }
          };
      loop.run(w.loss(loop.ema().shadow()), clock);
    } finally {
      deleteTree(dir);
    }
    double[] ms = new double[steps];
    for (int i = 0; i < steps; i++) {
      ms[i] = (at[warmup + i] - at[warmup + i - 1]) / 1e6;
    }
    return median(ms);
  }

  private record Accounting(Map<String, Double> ms, double totalMs, double flopsPerStep) {}

  /** The loop's step replayed piece by piece, one untimed step first; medians per piece. */
  private static Accounting replay(Workload w, TrainerConfig.Hyperparameters h, int steps) {
    Weights trained = w.trained();
    trained.requireGradients(true);
    Map<String, double[]> nanos = new LinkedHashMap<>();
    COMPONENTS.forEach(k -> nanos.put(k, new double[steps]));
    double flops = 0;
    try (AdamW adam = new AdamW(trained, h.learningRate, h.weightDecay, h.warmupSteps);
        Ema ema = new Ema(trained, h.emaRate)) {
      AdaptiveGradClip clip =
          new AdaptiveGradClip(h.gradClip.maxNorm, h.gradClip.percentile, h.gradClip.window);
      TrainingLoop.StepLoss loss = w.loss(ema.shadow());
      for (int i = 0; i <= steps; i++) {
        boolean timed = i > 0;
        w.networks().forEach(m -> m.timing(timed));
        long[] t = step(trained, loss, adam, clip, ema, i);
        if (!timed) {
          continue;
        }
        double teacher = 0;
        double withGrad = 0;
        double noGrad = 0;
        for (TimedModel m : w.networks()) {
          switch (m.role()) {
            case TEACHER -> teacher += (m.secondsRecording() + m.secondsPlain()) * 1e9;
            case TARGET -> noGrad += (m.secondsRecording() + m.secondsPlain()) * 1e9;
            case TRAINED -> {
              withGrad += m.secondsRecording() * 1e9;
              noGrad += m.secondsPlain() * 1e9;
              flops += 2 * m.recordedForwardFlops(); // its backward
            }
          }
          flops += m.forwardFlops();
        }
        int k = i - 1;
        nanos.get("teacherForward")[k] = teacher;
        nanos.get("trainedForward")[k] = withGrad;
        nanos.get("trainedForwardNoGrad")[k] = noGrad;
        nanos.get("trainedBackward")[k] = t[2] - t[1];
        nanos.get("gradClip")[k] = t[3] - t[2];
        nanos.get("adamW")[k] = t[4] - t[3];
        nanos.get("ema")[k] = t[5] - t[4];
        nanos.get("other")[k] = (t[1] - t[0]) - teacher - withGrad - noGrad + (t[6] - t[5]);
      }
    } finally {
      w.networks().forEach(m -> m.timing(false));
    }
    Map<String, Double> ms = new LinkedHashMap<>();
    nanos.forEach((k, v) -> ms.put(k, median(v) / 1e6));
    double total = ms.values().stream().mapToDouble(Double::doubleValue).sum();
    return new Accounting(ms, total, flops / steps);
  }

  static double median(double[] values) {
    double[] s = values.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * One step as {@link TrainingLoop} takes it, with timestamps: start, loss computed and read,
   * gradients ready, clipped, AdamW applied, EMA updated, step arrays freed.
   */
  private static long[] step(
      Weights trained,
      TrainingLoop.StepLoss loss,
      AdamW adam,
      AdaptiveGradClip clip,
      Ema ema,
      long index) {
    long[] t = new long[7];
    NDManager scope = trained.manager().newSubManager();
    t[0] = System.nanoTime();
    Map<String, NDArray> grads;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      TrainingLoop.StepLosses l = loss.compute(scope, index);
      l.logged().values().forEach(NDArray::getFloat); // the loop reads every logged loss
      l.total().getFloat(); // and checks the total is finite
      t[1] = System.nanoTime();
      collector.backward(l.total());
    }
    grads = Gradients.of(trained, scope);
    grads.values().stream().findFirst().ifPresent(Sync::await);
    t[2] = System.nanoTime();
    clip.clip(grads.values());
    t[3] = System.nanoTime();
    adam.step(grads);
    Gradients.zero(trained);
    trained.asMap().values().stream().findFirst().ifPresent(Sync::await);
    t[4] = System.nanoTime();
    ema.update(trained, index + 1);
    ema.shadow().asMap().values().stream().findFirst().ifPresent(Sync::await);
    t[5] = System.nanoTime();
    scope.close();
    t[6] = System.nanoTime();
    return t;
  }

  /** The results as one markdown table with a legend. */
  public static String markdown(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("| run | batch | parameters | samples/s | ms/step (loop) | ms/step (replayed) |");
    for (String k : COMPONENTS) {
      b.append(' ').append(LABELS.get(k)).append(" |");
    }
    b.append(
        " GFLOP/step | GFLOP/s (step) | GFLOP/s (networks) | matmul peak GFLOP/s |"
            + " step / peak |\n|");
    b.append("---|".repeat(6 + COMPONENTS.size() + 5)).append('\n');
    for (Result r : results) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.1f | %.1f | %.1f |",
              r.workload(),
              r.batchSize(),
              r.parameters(),
              r.samplesPerSec(),
              r.loopMsPerStep(),
              r.accountedMsPerStep()));
      for (String k : COMPONENTS) {
        b.append(
            String.format(
                Locale.ROOT,
                " %.1f%% (%.1f ms) |",
                100 * r.fractions().get(k),
                r.msPerStep().get(k)));
      }
      MatmulPeak.Peak p = r.peak();
      b.append(
          String.format(
              Locale.ROOT,
              " %.3f | %.2f | %.2f | %.2f (%s: %dx%d by %dx%d) | %.1f%% |%n",
              r.gflopPerStep(),
              r.gflopsOfStep(),
              r.gflopsInNetworks(),
              p.gflops(),
              r.peakLayer(),
              p.m(),
              p.k(),
              p.k(),
              p.n(),
              100 * r.fractionOfPeak()));
    }
    return b.toString();
  }

  /** One printed line per result. */
  public static String line(Result r) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s: %.1f samples/s (%.1f ms/step, batch %d);",
                r.workload(),
                r.samplesPerSec(),
                r.loopMsPerStep(),
                r.batchSize()));
    for (String k : COMPONENTS) {
      b.append(String.format(Locale.ROOT, " %s %.1f%%", LABELS.get(k), 100 * r.fractions().get(k)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "; %.2f GFLOP/s (%.2f in the networks) against a matmul peak of %.2f (%.1f%%)",
            r.gflopsOfStep(),
            r.gflopsInNetworks(),
            r.peak().gflops(),
            100 * r.fractionOfPeak()));
    return b.toString();
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
