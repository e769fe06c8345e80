package io.distillery.mdt.probe;

/**
 * Energy distance between two sets of feature vectors, and the canary's distance ratio built on it.
 * Pure maths, no I/O.
 *
 * <p>{@code E(X, Y) = 2 mean|x - y| - mean|x - x'| - mean|y - y'|} with Euclidean norms, as a
 * V-statistic: the within-set means run over all pairs, the zero diagonal included, so {@code E} is
 * never negative (up to rounding) and is 0 exactly for equal sets.
 */
public final class EnergyDistance {
  /** Distances at or below this are taken as 0 (rounding of sums of equal terms). */
  static final double ZERO = 1e-12;

  private EnergyDistance() {}

  /** {@code E(x, y)}; rows are feature vectors of one length. */
  public static double between(double[][] x, double[][] y) {
    if (x.length == 0 || y.length == 0) {
      throw new IllegalArgumentException("energy distance of an empty set");
    }
    return 2 * meanDistance(x, y) - meanDistance(x, x) - meanDistance(y, y);
  }

  /**
   * {@code E(canary, stableSame) / E(stableOther, stableSame)}: how far the canary's outputs lie
   * from the stable model's at the same seeds, in units of how far the stable model's own outputs
   * at other seeds lie from them. About 1 when the canary draws independently from the stable
   * model's distribution, below 1 when its outputs follow the stable model's seed by seed (0 for
   * the very same outputs), far above 1 when it draws from elsewhere.
   *
   * @return the ratio; 1 when both distances are 0 (every output identical); NaN when only the
   *     denominator is 0 (the stable model gives one output whatever the seed, and the canary
   *     differs from it: no scale to judge the difference by)
   */
  public static double ratio(double[][] canary, double[][] stableSame, double[][] stableOther) {
    double numerator = Math.max(0, between(canary, stableSame));
    double denominator = Math.max(0, between(stableOther, stableSame));
    if (denominator <= ZERO) {
      return numerator <= ZERO ? 1 : Double.NaN;
    }
    return numerator / denominator;
  }

  private static double meanDistance(double[][] a, double[][] b) {
    double sum = 0;
    for (double[] u : a) {
      for (double[] v : b) {
        sum += euclidean(u, v);
      }
    }
    return sum / ((double) a.length * b.length);
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
