package io.distillery.mdt.bench;

import io.distillery.mdt.data.AppearanceBatch;
import io.distillery.mdt.data.AppearanceError;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.PairedFidelity;
import io.distillery.mdt.sampling.SeededSampling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.IntStream;

/**
 * Compares appearance models (the second stage, docs/algorithm.md section 9) on the same held-out
 * structures, conditions and seeds: each row's samples are drawn ON the first {@code samples}
 * held-out structures of {@code truth}, with their classes, and scored per sample by {@link
 * AppearanceError} against the procedural ground truth (the nearer of its variants) and by the
 * paired relative error to the baseline's sample from the same noise ({@link PairedFidelity}).
 *
 * <p>Rows of the same {@link Contender#name()} are one model trained with different seeds; their
 * intervals come from a two-level percentile bootstrap (training seeds, then samples), the same
 * draws for every row, so differences between rows are paired.
 */
public final class AppearanceComparison {
  private AppearanceComparison() {}

  /** Sample count, evaluation seeds, bootstrap replicates, speed runs. */
  public record Settings(int samples, List<Long> evalSeeds, int replicates, int speedRuns) {}

  /**
   * One row: a model (over all its training seeds) at one sampler; {@code error} is null where
   * there is no ground truth.
   */
  public record Row(
      String name,
      int steps,
      int nfe,
      Estimate error,
      Estimate pairedError,
      double latencyMsBatch1,
      double throughputPerSec,
      double speedup) {}

  /** Every row, and the paired statistics between rows. */
  public record Report(List<Row> rows, Settings settings, Map<String, double[][]> errors) {
    public Row row(String name) {
      return rows.stream()
          .filter(r -> r.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no row " + name));
    }

    /** One line per row: error and paired error with intervals, NFE, latency, speedup. */
    public String markdownTable() {
      StringBuilder b =
          new StringBuilder(
              "| model | NFE | appearance error | paired error | latency b1 (ms) | samples/s b32"
                  + " | speedup |\n|---|---|---|---|---|---|---|\n");
      for (Row r : rows) {
        b.append(
            String.format(
                java.util.Locale.ROOT,
                "| %s | %d | %s | %s | %.1f | %.1f | %.1fx |%n",
                r.name(),
                r.nfe(),
                r.error() == null ? "n/a" : r.error().format("%.4f"),
                r.pairedError().format("%.3f"),
                r.latencyMsBatch1(),
                r.throughputPerSec(),
                r.speedup()));
      }
      return b.toString();
    }

    /** {@code mean error(a) / mean error(b)} with its 95% interval (paired draws). */
    public Estimate errorRatio(String a, String b, int replicates) {
      return statistic(errors.get(a), errors.get(b), replicates, (x, y) -> x / y);
    }

    /** {@code mean error(a) - mean error(b)} with its 95% interval (paired draws). */
    public Estimate errorDifference(String a, String b, int replicates) {
      return statistic(errors.get(a), errors.get(b), replicates, (x, y) -> x - y);
    }
  }

  /**
   * @param baseline the reference sampler (the teacher at its steps); also row 0 of the report
   * @param rows further rows, in report order
   */
  public static Report run(
      Contender baseline, List<Contender> rows, AppearanceBatch truth, Settings s) {
    return run(baseline, rows, truth.shapes(), truth, s);
  }

  /**
   * As above on the first {@code samples} of {@code structures} (occupancy, with their classes);
   * with no {@code truth} (structures without colours, say a structure dataset of your own) every
   * row's {@link Row#error()} is null and only the paired error and the speed are measured.
   */
  public static Report run(
      Contender baseline,
      List<Contender> rows,
      VoxelBatch allStructures,
      AppearanceBatch truth,
      Settings s) {
    int n = Math.min(s.samples(), allStructures.count());
    VoxelBatch structures = allStructures.slice(0, n);
    int[] labels = structures.labels();
    List<Contender> all = new ArrayList<>();
    all.add(baseline);
    all.addAll(rows);
    Map<Long, VoxelBatch> reference = new LinkedHashMap<>();
    for (long seed : s.evalSeeds()) {
      reference.put(seed, sample(baseline, labels, seed, structures));
    }
    Map<String, List<double[]>> errors = new LinkedHashMap<>();
    Map<String, List<double[]>> paired = new LinkedHashMap<>();
    Map<String, Contender> first = new LinkedHashMap<>();
    for (Contender c : all) {
      double[] err = new double[n * s.evalSeeds().size()];
      double[] pe = new double[err.length];
      int e = 0;
      for (long seed : s.evalSeeds()) {
        VoxelBatch generated =
            c == baseline ? reference.get(seed) : sample(c, labels, seed, structures);
        double[] p = PairedFidelity.measure(generated, reference.get(seed)).error();
        for (int i = 0; i < n; i++) {
          float[] colours =
              Arrays.copyOfRange(
                  generated.data(), i * generated.sampleSize(), (i + 1) * generated.sampleSize());
          err[e * n + i] = truth == null ? Double.NaN : AppearanceError.of(truth, i, colours);
          pe[e * n + i] = p[i];
        }
        e++;
      }
      errors.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(err);
      paired.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(pe);
      first.putIfAbsent(c.name(), c);
    }
    Map<String, double[][]> errorCells = cells(errors);
    Map<String, double[][]> pairedCells = cells(paired);
    double baselineLatency = Double.NaN;
    List<Row> out = new ArrayList<>();
    for (Contender c : first.values()) {
      double[] speed = speed(c, structures, s.speedRuns());
      if (c == baseline) {
        baselineLatency = speed[0];
      }
      out.add(
          new Row(
              c.name(),
              c.sampler().steps(),
              c.sampler().nfe(),
              truth == null ? null : estimate(errorCells.get(c.name()), s.replicates()),
              estimate(pairedCells.get(c.name()), s.replicates()),
              speed[0],
              speed[1],
              baselineLatency / speed[0]));
    }
    return new Report(out, s, errorCells);
  }

  private static VoxelBatch sample(Contender c, int[] labels, long seed, VoxelBatch structures) {
    return SeededSampling.sample(
        c.model(), c.sampler(), labels, seed, SeededSampling.DEFAULT_BATCH, structures);
  }

  /**
   * Median batch-1 latency (ms) over {@code runs} structures and the best throughput (samples/s) of
   * batches of {@link SpeedProbe#THROUGHPUT_BATCH}, after a warm-up.
   */
  static double[] speed(Contender c, VoxelBatch structures, int runs) {
    int[] labels = structures.labels();
    sample(c, new int[] {labels[0]}, 99, structures.slice(0, 1));
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      int j = i % structures.count();
      long t0 = System.nanoTime();
      sample(c, new int[] {labels[j]}, 1000 + i, structures.slice(j, j + 1));
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    int b = Math.min(SpeedProbe.THROUGHPUT_BATCH, structures.count());
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < Math.max(1, runs / 4); i++) {
      long t0 = System.nanoTime();
      SeededSampling.sample(
          c.model(), c.sampler(), Arrays.copyOf(labels, b), 2000 + i, b, structures.slice(0, b));
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return new double[] {ms[runs / 2], b / best};
  }

  private static Map<String, double[][]> cells(Map<String, List<double[]>> byName) {
    Map<String, double[][]> out = new LinkedHashMap<>();
    byName.forEach((k, v) -> out.put(k, v.toArray(double[][]::new)));
    return out;
  }

  /** The mean over training seeds and samples, with its two-level bootstrap interval. */
  static Estimate estimate(double[][] cells, int replicates) {
    return statistic(cells, null, replicates, (a, b) -> a);
  }

  /**
   * {@code f(mean(a), mean(b))} and the 2.5 and 97.5 percentiles of its replicates: each draws
   * training seeds (of each side, independently: they are different models) and then sample indices
   * shared by both sides (the same structures, conditions and noise).
   */
  static Estimate statistic(double[][] a, double[][] b, int replicates, DoubleBinaryOperator f) {
    int samples = a[0].length;
    int[] all = IntStream.range(0, samples).toArray();
    double point =
        f.applyAsDouble(
            mean(a, seeds(a.length), all), b == null ? 0 : mean(b, seeds(b.length), all));
    double[] reps = new double[replicates];
    SplittableRandom rng = new SplittableRandom(20261202L);
    for (int r = 0; r < replicates; r++) {
      int[] ka = Bootstrap.draw(rng, a.length, a.length);
      int[] kb = b == null ? null : Bootstrap.draw(rng, b.length, b.length);
      int[] idx = Bootstrap.draw(rng, samples, samples);
      reps[r] = f.applyAsDouble(mean(a, ka, idx), b == null ? 0 : mean(b, kb, idx));
    }
    Arrays.sort(reps);
    return new Estimate(
        point, reps[(int) (0.025 * (replicates - 1))], reps[(int) (0.975 * (replicates - 1))]);
  }

  private static int[] seeds(int count) {
    return IntStream.range(0, count).toArray();
  }

  private static double mean(double[][] cells, int[] picks, int[] idx) {
    double sum = 0;
    for (int k : picks) {
      for (int i : idx) {
        sum += cells[k][i];
      }
    }
    return sum / ((double) picks.length * idx.length);
  }
}
