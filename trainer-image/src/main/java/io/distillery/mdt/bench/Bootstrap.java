package io.distillery.mdt.bench;

import io.distillery.mdt.eval.FeatureSetMetrics;
import io.distillery.mdt.eval.FrechetDistance;
import io.distillery.mdt.eval.ShapeEvaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * 95% intervals for every metric of a comparison by a two-level (hierarchical) percentile bootstrap
 * over training seeds and evaluation samples, paired across rows (EVALUATION.md explains the
 * choice).
 *
 * <p>A row's estimate is the mean over its cells, one per (training seed, evaluation seed), of the
 * metric of that cell's full sample set. A replicate draws training seeds with replacement (the
 * same draw for every row), and for each evaluation seed draws the generated-sample indices and the
 * reference-shape indices with replacement (the same draw for every row and training seed: sample
 * {@code i} has the same noise and condition in every model, so rows stay paired), recomputes each
 * cell's metric on the drawn shapes and averages as for the estimate. FD is refitted on the drawn
 * features; class accuracy and the k-NN set metrics are means of per-shape terms, resampled with
 * the neighbour structure of the full sets held fixed (resampling the sets themselves would make
 * duplicates each other's nearest neighbours). Rows that do not depend on the training seed (the
 * teacher) have one set of cells, so their intervals reflect sampling noise only.
 *
 * <p>The interval is the 2.5 and 97.5 percentiles of the replicates, shifted by the bootstrap's
 * bias (mean of the replicates minus the estimate): duplicated draws make a refitted FD larger than
 * the full-sample FD, and without the shift its interval would sit above the estimate.
 */
public final class Bootstrap {
  /** Replicates of a comparison by default. */
  public static final int DEFAULT_REPLICATES = 1000;

  /** The metrics of a row, in this order in {@link Result#points()}. */
  public static final List<String> METRICS =
      List.of(
          "fd", "classAccuracy", "precision", "recall", "density", "coverage", "mmd", "cov", "nna");

  private Bootstrap() {}

  /**
   * The measured cells of one row: {@code cells[k][e]} for training seed index {@code k} and
   * evaluation seed index {@code e}; a row with {@code fixed} has one k shared by every training
   * seed. A null {@code cells[k]} is a training seed the row lacks (its training diverged).
   */
  public record Row(boolean fixed, ShapeEvaluator.Measured[][] cells) {}

  /**
   * Estimates {@code points[row][metric]} and replicates {@code replicates[b][row][metric]}; per
   * class accuracy likewise in {@code classPoints[row][class]} and {@code classReplicates}.
   */
  public record Result(
      double[][] points,
      double[][][] replicates,
      double[][] classPoints,
      double[][][] classReplicates) {

    /** Estimate and interval of metric {@code m} ({@link #METRICS}) of row {@code r}. */
    public Estimate metric(int r, int m) {
      return statistic(v -> v[r][m]);
    }

    public Estimate classAccuracy(int r, int c) {
      return interval(classPoints[r][c], Arrays.stream(classReplicates).mapToDouble(v -> v[r][c]));
    }

    /** Estimate and interval of any function of the rows' metrics: paired across rows. */
    public Estimate statistic(ToDoubleFunction<double[][]> f) {
      return interval(f.applyAsDouble(points), Arrays.stream(replicates).mapToDouble(f));
    }

    static Estimate interval(double point, java.util.stream.DoubleStream values) {
      double[] v = values.filter(Double::isFinite).sorted().toArray();
      if (!Double.isFinite(point) || v.length == 0) {
        return new Estimate(point, Double.NaN, Double.NaN);
      }
      double bias = Arrays.stream(v).average().orElse(point) - point;
      return new Estimate(point, quantile(v, 0.025) - bias, quantile(v, 0.975) - bias);
    }
  }

  /** Linear interpolation between order statistics (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * @param reference features of the reference shapes (the same for every evaluation seed)
   * @param trainingSeeds number of training seeds (rows that are not fixed have this many k)
   * @param evalSeeds number of evaluation seeds
   */
  public static Result run(
      double[][] reference,
      int numClasses,
      int trainingSeeds,
      int evalSeeds,
      List<Row> rows,
      int replicates,
      long seed) {
    int[] samples = new int[evalSeeds];
    for (Row row : rows) {
      for (ShapeEvaluator.Measured[] k : row.cells()) {
        if (k == null) continue;
        for (int e = 0; e < evalSeeds; e++) {
          int n = k[e].labels().length;
          if (samples[e] != 0 && samples[e] != n) {
            throw new IllegalArgumentException(
                "cells of evaluation seed " + e + " differ in size: " + n + " vs " + samples[e]);
          }
          samples[e] = n;
        }
      }
    }
    int r = reference.length;
    int[] all = IntStream.range(0, r).toArray();
    FrechetDistance.Gaussian refFit = FrechetDistance.Gaussian.fit(reference, all);
    RealMatrix refRoot = FrechetDistance.sqrtPsd(refFit.covariance());
    int[][] fullGen = new int[evalSeeds][];
    int[][] fullRef = new int[evalSeeds][];
    FrechetDistance.Gaussian[] refs = new FrechetDistance.Gaussian[evalSeeds];
    RealMatrix[] roots = new RealMatrix[evalSeeds];
    int[] allSeeds = IntStream.range(0, trainingSeeds).toArray();
    for (int e = 0; e < evalSeeds; e++) {
      fullGen[e] = IntStream.range(0, samples[e]).toArray();
      fullRef[e] = all;
      refs[e] = refFit;
      roots[e] = refRoot;
    }
    double[][] classPoints = new double[rows.size()][];
    double[][] points =
        replicate(
            rows, numClasses, allSeeds, fullGen, fullRef, refs, roots, reference, classPoints);
    double[][][] reps = new double[replicates][][];
    double[][][] classReps = new double[replicates][][];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + b);
              int[] picks = draw(rng, trainingSeeds, trainingSeeds);
              int[][] gen = new int[evalSeeds][];
              int[][] ref = new int[evalSeeds][];
              FrechetDistance.Gaussian[] g = new FrechetDistance.Gaussian[evalSeeds];
              RealMatrix[] root = new RealMatrix[evalSeeds];
              for (int e = 0; e < evalSeeds; e++) {
                gen[e] = draw(rng, samples[e], samples[e]);
                ref[e] = draw(rng, r, r);
                g[e] = FrechetDistance.Gaussian.fit(reference, ref[e]);
                root[e] = FrechetDistance.sqrtPsd(g[e].covariance());
              }
              classReps[b] = new double[rows.size()][];
              reps[b] =
                  replicate(rows, numClasses, picks, gen, ref, g, root, reference, classReps[b]);
            });
    return new Result(points, reps, classPoints, classReps);
  }

  static int[] draw(SplittableRandom rng, int bound, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) out[i] = rng.nextInt(bound);
    return out;
  }

  /** Every row's metrics averaged over the picked training seeds and every evaluation seed. */
  private static double[][] replicate(
      List<Row> rows,
      int numClasses,
      int[] picks,
      int[][] gen,
      int[][] ref,
      FrechetDistance.Gaussian[] refFit,
      RealMatrix[] refRoot,
      double[][] reference,
      double[][] classOut) {
    double[][] out = new double[rows.size()][];
    for (int ri = 0; ri < rows.size(); ri++) {
      Row row = rows.get(ri);
      List<Integer> seeds = new ArrayList<>();
      if (row.fixed()) {
        seeds.add(0);
      } else {
        for (int k : picks) {
          if (row.cells()[k] != null) seeds.add(k);
        }
        if (seeds.isEmpty()) {
          for (int k = 0; k < row.cells().length; k++) {
            if (row.cells()[k] != null) seeds.add(k);
          }
        }
      }
      double[] sum = new double[METRICS.size()];
      double[] classSum = new double[numClasses];
      int[] classCount = new int[numClasses];
      int cellsUsed = 0;
      java.util.Map<Integer, double[]> done = new java.util.HashMap<>();
      java.util.Map<Integer, double[]> doneClass = new java.util.HashMap<>();
      for (int k : seeds) {
        for (int e = 0; e < gen.length; e++) {
          int key = k * gen.length + e;
          ShapeEvaluator.Measured m = row.cells()[k][e];
          final int ee = e;
          double[] v =
              done.computeIfAbsent(key, x -> cell(m, gen[ee], ref[ee], refFit[ee], refRoot[ee]));
          double[] c = doneClass.computeIfAbsent(key, x -> perClass(m, gen[ee], numClasses));
          for (int t = 0; t < v.length; t++) sum[t] += v[t];
          for (int t = 0; t < numClasses; t++) {
            if (!Double.isNaN(c[t])) {
              classSum[t] += c[t];
              classCount[t]++;
            }
          }
          cellsUsed++;
        }
      }
      for (int t = 0; t < sum.length; t++) sum[t] /= cellsUsed;
      out[ri] = sum;
      double[] cls = new double[numClasses];
      for (int t = 0; t < numClasses; t++) {
        cls[t] = classCount[t] == 0 ? Double.NaN : classSum[t] / classCount[t];
      }
      classOut[ri] = cls;
    }
    return out;
  }

  private static double[] cell(
      ShapeEvaluator.Measured m,
      int[] gen,
      int[] ref,
      FrechetDistance.Gaussian refFit,
      RealMatrix refRoot) {
    double fd =
        Math.max(
            0,
            FrechetDistance.compute(
                refFit, refRoot, FrechetDistance.Gaussian.fit(m.features(), gen)));
    double correct = m.classified() ? 0 : Double.NaN;
    for (int i : gen) correct += m.correct(i) ? 1 : 0;
    FeatureSetMetrics.Result s = m.items().resampled(gen, ref);
    return new double[] {
      fd,
      correct / gen.length,
      s.precision(),
      s.recall(),
      s.density(),
      s.coverage(),
      s.mmd(),
      s.cov(),
      s.nna()
    };
  }

  private static double[] perClass(ShapeEvaluator.Measured m, int[] gen, int numClasses) {
    double[] correct = new double[numClasses];
    int[] count = new int[numClasses];
    for (int i : gen) {
      int c = m.labels()[i];
      if (c >= 0 && c < numClasses) {
        count[c]++;
        correct[c] += m.correct(i) ? 1 : 0;
      }
    }
    double[] out = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      out[c] = count[c] == 0 || !m.classified() ? Double.NaN : correct[c] / count[c];
    }
    return out;
  }
}
