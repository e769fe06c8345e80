package io.distillery.mdt.bench;

import io.distillery.mdt.eval.PairedFidelity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Means and 95% intervals of the {@link PairedFidelity} figures by the same two-level bootstrap as
 * {@link Bootstrap}: a replicate draws training seeds, then each evaluation seed's sample indices,
 * the same draws for every row (sample {@code i} has the same noise and condition in every model).
 * A figure's estimate is the mean over a row's cells (training seed x evaluation seed) of the
 * cell's mean over its samples.
 */
final class PairedIntervals {
  private PairedIntervals() {}

  /** A row's cells {@code [k][e]}; a null {@code cells[k]} is a training seed it lacks. */
  record Row(boolean fixed, PairedFidelity.Items[][] cells) {}

  /** {@code [row][figure]}: null where a figure does not apply (IoU of non-occupancy data). */
  static Estimate[][] run(List<Row> rows, int trainingSeeds, int replicates, long seed) {
    int figures = PairedFidelity.FIGURES.size();
    int evalSeeds =
        rows.stream()
            .flatMap(r -> Arrays.stream(r.cells()))
            .filter(c -> c != null)
            .findFirst()
            .map(c -> c.length)
            .orElse(0);
    int[] samples = new int[evalSeeds];
    for (Row r : rows) {
      for (PairedFidelity.Items[] k : r.cells()) {
        if (k == null) continue;
        for (int e = 0; e < evalSeeds; e++) samples[e] = k[e].count();
      }
    }
    int[][] full = new int[evalSeeds][];
    for (int e = 0; e < evalSeeds; e++) full[e] = IntStream.range(0, samples[e]).toArray();
    double[][] points = replicate(rows, IntStream.range(0, trainingSeeds).toArray(), full);
    double[][][] reps = new double[replicates][][];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              SplittableRandom rng = new SplittableRandom(seed * 1_000_033L + b);
              int[] picks = Bootstrap.draw(rng, trainingSeeds, trainingSeeds);
              int[][] drawn = new int[evalSeeds][];
              for (int e = 0; e < evalSeeds; e++)
                drawn[e] = Bootstrap.draw(rng, samples[e], samples[e]);
              reps[b] = replicate(rows, picks, drawn);
            });
    Estimate[][] out = new Estimate[rows.size()][figures];
    for (int r = 0; r < rows.size(); r++) {
      for (int f = 0; f < figures; f++) {
        int rr = r;
        int ff = f;
        out[r][f] =
            Double.isNaN(points[r][f])
                ? null
                : Bootstrap.Result.interval(
                    points[r][f], Arrays.stream(reps).mapToDouble(v -> v[rr][ff]));
      }
    }
    return out;
  }

  /** Every row's figures over the picked training seeds and every evaluation seed. */
  private static double[][] replicate(List<Row> rows, int[] picks, int[][] drawn) {
    double[][] out = new double[rows.size()][PairedFidelity.FIGURES.size()];
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      List<Integer> seeds = new ArrayList<>();
      for (int k : row.fixed() ? new int[] {0} : picks) {
        if (row.cells()[k] != null) seeds.add(k);
      }
      if (seeds.isEmpty()) {
        for (int k = 0; k < row.cells().length; k++) if (row.cells()[k] != null) seeds.add(k);
      }
      for (int f = 0; f < out[r].length; f++) {
        double sum = 0;
        int cells = 0;
        for (int k : seeds) {
          for (int e = 0; e < drawn.length; e++) {
            double[] v = row.cells()[k][e].figure(f);
            if (v == null) {
              sum = Double.NaN;
              continue;
            }
            double s = 0;
            for (int i : drawn[e]) s += v[i];
            sum += s / drawn[e].length;
            cells++;
          }
        }
        out[r][f] = cells == 0 ? Double.NaN : sum / cells;
      }
    }
    return out;
  }
}
