package io.distillery.mdt.eval;

import java.util.List;

/**
 * Distribution metrics between generated and reference shape sets with the voxel IoU distance,
 * defined as in the point-cloud GAN literature (Achlioptas et al. 2018; Yang et al. 2019):
 *
 * <ul>
 *   <li>MMD: mean over reference shapes of the distance to the nearest generated shape (lower is
 *       better: fidelity);
 *   <li>COV: fraction of reference shapes that are the nearest neighbour of at least one generated
 *       shape (higher is better: coverage);
 *   <li>1-NNA: leave-one-out accuracy of a 1-nearest-neighbour classifier telling generated from
 *       reference on the union of both sets; 0.5 is ideal, 1 means the sets are apart, below 0.5
 *       means the generated shapes copy the reference ones.
 * </ul>
 *
 * Ties in nearest-neighbour search go to the lowest index, scanning generated shapes first.
 */
public final class SetMetrics {
  private SetMetrics() {}

  /** The three metrics. */
  public record Result(double mmd, double cov, double nna) {}

  /** Occupancy grids (value > 0.5 is filled), all of the same size. */
  public static Result compute(List<float[]> generated, List<float[]> reference) {
    return computePacked(
        generated.stream().map(VoxelIoU::pack).toList(),
        reference.stream().map(VoxelIoU::pack).toList());
  }

  public static Result computePacked(List<long[]> gen, List<long[]> ref) {
    int g = gen.size();
    int r = ref.size();
    if (g == 0 || r == 0) {
      throw new IllegalArgumentException(
          "both sets need shapes: generated " + g + ", reference " + r);
    }
    double[][] gr = new double[g][r];
    for (int i = 0; i < g; i++) {
      for (int j = 0; j < r; j++) {
        gr[i][j] = VoxelIoU.distance(gen.get(i), ref.get(j));
      }
    }
    double mmd = 0;
    for (int j = 0; j < r; j++) {
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < g; i++) {
        best = Math.min(best, gr[i][j]);
      }
      mmd += best / r;
    }
    boolean[] covered = new boolean[r];
    for (int i = 0; i < g; i++) {
      covered[argMin(gr[i], -1)] = true;
    }
    int coveredCount = 0;
    for (boolean c : covered) {
      coveredCount += c ? 1 : 0;
    }
    double[][] gg = within(gen);
    double[][] rr = within(ref);
    int correct = 0;
    for (int i = 0; i < g; i++) {
      // Nearest among the other generated shapes vs among the reference shapes.
      double sameBest = min(gg[i], i);
      double otherBest = min(gr[i], -1);
      correct += sameBest <= otherBest ? 1 : 0;
    }
    for (int j = 0; j < r; j++) {
      double otherBest = Double.POSITIVE_INFINITY;
      for (int i = 0; i < g; i++) {
        otherBest = Math.min(otherBest, gr[i][j]);
      }
      double sameBest = min(rr[j], j);
      // Generated shapes are scanned first, so a tie picks a generated neighbour: wrong.
      correct += sameBest < otherBest ? 1 : 0;
    }
    return new Result(mmd, (double) coveredCount / r, (double) correct / (g + r));
  }

  private static double[][] within(List<long[]> set) {
    int n = set.size();
    double[][] d = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[i][j] = d[j][i] = VoxelIoU.distance(set.get(i), set.get(j));
      }
    }
    return d;
  }

  private static double min(double[] row, int skip) {
    double best = Double.POSITIVE_INFINITY;
    for (int k = 0; k < row.length; k++) {
      if (k != skip) {
        best = Math.min(best, row[k]);
      }
    }
    return best;
  }

  private static int argMin(double[] row, int skip) {
    int best = -1;
    for (int k = 0; k < row.length; k++) {
      if (k != skip && (best < 0 || row[k] < row[best])) {
        best = k;
      }
    }
    return best;
  }
}
