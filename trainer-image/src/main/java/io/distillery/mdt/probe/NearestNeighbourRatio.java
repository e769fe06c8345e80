package io.distillery.mdt.probe;

/**
 * The canary's distance ratio: how far its outputs lie from the stable model's, in units of how far
 * the stable model's own outputs at other seeds lie from them, measured by nearest neighbours in
 * feature space. Pure maths, no I/O.
 *
 * <p>Two ratios, the larger counts:
 *
 * <ul>
 *   <li>fidelity: the mean distance from each canary output to its nearest stable output, over the
 *       same for the stable model's outputs at other seeds: far above 1 when the canary draws
 *       shapes the stable model never draws (garbage, blobs);
 *   <li>coverage: the mean distance from each stable output to its nearest canary output, over the
 *       same to the other-seed outputs: far above 1 when the canary leaves out what the stable
 *       model draws (collapse onto a few shapes, empty grids).
 * </ul>
 *
 * About 1 when the canary draws independently from the stable model's distribution, below 1 when
 * its outputs follow the stable model's seed by seed (0 for the very same outputs). Both sides of
 * each ratio use sets of one size against one reference set, so the ratio does not drift with the
 * number of probes as a distance over its own noise floor would (an energy distance ratio grew
 * about twofold from 32 to 64 probes between two good students).
 */
public final class NearestNeighbourRatio {
  /** Distances at or below this are taken as 0 (rounding of sums of equal terms). */
  static final double ZERO = 1e-12;

  private NearestNeighbourRatio() {}

  /**
   * The larger of the fidelity and coverage ratios.
   *
   * @param canary the canary's outputs at the probe seeds
   * @param stableSame the stable model's outputs at the same seeds
   * @param stableOther the stable model's outputs at other seeds, as many
   * @return the ratio; 1 when every distance is 0 (every output identical); NaN when a reference
   *     distance is 0 but the canary's is not (the stable model gives one output whatever the seed:
   *     no scale to judge the canary's difference by)
   */
  public static double ratio(double[][] canary, double[][] stableSame, double[][] stableOther) {
    double fidelity = ratio(meanNearest(canary, stableSame), meanNearest(stableOther, stableSame));
    double coverage = ratio(meanNearest(stableSame, canary), meanNearest(stableSame, stableOther));
    return Double.isNaN(fidelity) || Double.isNaN(coverage)
        ? Double.NaN
        : Math.max(fidelity, coverage);
  }

  private static double ratio(double numerator, double denominator) {
    if (denominator <= ZERO) {
      return numerator <= ZERO ? 1 : Double.NaN;
    }
    return numerator / denominator;
  }

  /** Mean over {@code from} of the distance to the nearest row of {@code to}. */
  static double meanNearest(double[][] from, double[][] to) {
    if (from.length == 0 || to.length == 0) {
      throw new IllegalArgumentException("nearest neighbours in an empty set");
    }
    double sum = 0;
    for (double[] u : from) {
      double nearest = Double.POSITIVE_INFINITY;
      for (double[] v : to) {
        nearest = Math.min(nearest, euclidean(u, v));
      }
      sum += nearest;
    }
    return sum / from.length;
  }

  static double euclidean(double[] u, double[] v) {
    if (u.length != v.length) {
      throw new IllegalArgumentException(
          "feature vectors of different lengths: " + u.length + " and " + v.length);
    }
    double s = 0;
    for (int i = 0; i < u.length; i++) {
      double d = u[i] - v[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
