package io.distillery.mdt.eval;

/**
 * Set metrics between generated and reference shapes on the Euclidean distance between their
 * classifier features ({@link ShapeClassifier#features}), the space the Frechet distance uses:
 *
 * <ul>
 *   <li>precision and recall with k-nearest-neighbour radius manifolds (Kynkaenniemi et al. 2019):
 *       precision is the fraction of generated shapes inside the real manifold (the union of balls
 *       around each reference shape with the radius of its k-th nearest other reference shape),
 *       recall the fraction of reference shapes inside the generated manifold; both 1 is ideal;
 *   <li>density and coverage (Naeem et al. 2020) with the same real radii: density is the mean
 *       number of real balls a generated shape falls in, divided by k (about 1 for matching sets,
 *       above 1 when samples crowd the dense middle of the real set); coverage is the fraction of
 *       reference shapes whose ball holds at least one generated shape (1 ideal);
 *   <li>MMD, COV and 1-NNA as in the point-cloud literature (Achlioptas et al. 2018; Yang et al.
 *       2019) but on feature distances: MMD the mean over reference shapes of the distance to the
 *       nearest generated one (lower is better, the floor is what two real sets score), COV the
 *       fraction of reference shapes that are the nearest reference of at least one generated shape
 *       (higher is better), 1-NNA the leave-one-out accuracy of a 1-nearest-neighbour classifier
 *       telling the two sets apart on their union (0.5 ideal, 1 apart, below 0.5 copies).
 * </ul>
 *
 * Every metric is a mean of per-shape terms ({@link Items}) once the neighbour structure is fixed,
 * so a bootstrap can resample shapes cheaply with that structure held fixed. Ties in
 * nearest-neighbour search go to the lowest index, scanning generated shapes first.
 */
public final class FeatureSetMetrics {
  /** Neighbours that set a manifold radius (Kynkaenniemi et al. use 3). */
  public static final int DEFAULT_K = 3;

  private FeatureSetMetrics() {}

  /** The metric values. */
  public record Result(
      double precision,
      double recall,
      double density,
      double coverage,
      double mmd,
      double cov,
      double nna) {}

  /**
   * Per-shape terms: each metric is the mean of its array (1-NNA pools the generated and reference
   * terms). Indexed by generated shape ({@code gen*}) or reference shape ({@code ref*}).
   */
  public record Items(
      double[] genInRealManifold,
      double[] genDensity,
      double[] genNnaCorrect,
      double[] refInFakeManifold,
      double[] refCovered,
      double[] refNearestDistance,
      double[] refIsNearest,
      double[] refNnaCorrect) {

    public Result result() {
      return new Result(
          mean(genInRealManifold),
          mean(refInFakeManifold),
          mean(genDensity),
          mean(refCovered),
          mean(refNearestDistance),
          mean(refIsNearest),
          (sum(genNnaCorrect) + sum(refNnaCorrect))
              / (genNnaCorrect.length + refNnaCorrect.length));
    }

    /** The metrics over the shapes picked by the indices (with repeats), structure held fixed. */
    public Result resampled(int[] gen, int[] ref) {
      return new Result(
          mean(genInRealManifold, gen),
          mean(refInFakeManifold, ref),
          mean(genDensity, gen),
          mean(refCovered, ref),
          mean(refNearestDistance, ref),
          mean(refIsNearest, ref),
          (sum(genNnaCorrect, gen) + sum(refNnaCorrect, ref)) / (gen.length + ref.length));
    }
  }

  /** All metrics with {@link #DEFAULT_K}. */
  public static Result compute(double[][] generated, double[][] reference) {
    return items(generated, reference, DEFAULT_K).result();
  }

  /** Per-shape terms; each set needs more than {@code k} shapes. */
  public static Items items(double[][] gen, double[][] ref, int k) {
    int g = gen.length;
    int r = ref.length;
    if (k < 1 || g <= k || r <= k) {
      throw new IllegalArgumentException(
          "k-NN metrics need more than k = "
              + k
              + " shapes per set: generated "
              + g
              + ", ref "
              + r);
    }
    double[][] gr = distances(gen, ref);
    double[][] gg = distances(gen, gen);
    double[][] rr = distances(ref, ref);
    double[] realRadius = new double[r];
    for (int j = 0; j < r; j++) {
      realRadius[j] = kthSmallest(rr[j], j, k);
    }
    double[] fakeRadius = new double[g];
    for (int i = 0; i < g; i++) {
      fakeRadius[i] = kthSmallest(gg[i], i, k);
    }
    double[] genIn = new double[g];
    double[] genDensity = new double[g];
    double[] genNna = new double[g];
    double[] refIsNearest = new double[r];
    for (int i = 0; i < g; i++) {
      int inBalls = 0;
      int nearest = -1;
      for (int j = 0; j < r; j++) {
        if (gr[i][j] <= realRadius[j]) {
          inBalls++;
        }
        if (nearest < 0 || gr[i][j] < gr[i][nearest]) {
          nearest = j;
        }
      }
      genIn[i] = inBalls > 0 ? 1 : 0;
      genDensity[i] = (double) inBalls / k;
      refIsNearest[nearest] = 1;
      // Nearest among the other generated shapes vs among the reference shapes.
      genNna[i] = min(gg[i], i) <= gr[i][nearest] ? 1 : 0;
    }
    double[] refIn = new double[r];
    double[] refCovered = new double[r];
    double[] refNearest = new double[r];
    double[] refNna = new double[r];
    for (int j = 0; j < r; j++) {
      double best = Double.POSITIVE_INFINITY;
      boolean inFake = false;
      for (int i = 0; i < g; i++) {
        best = Math.min(best, gr[i][j]);
        inFake |= gr[i][j] <= fakeRadius[i];
      }
      refIn[j] = inFake ? 1 : 0;
      refCovered[j] = best <= realRadius[j] ? 1 : 0;
      refNearest[j] = best;
      // Generated shapes are scanned first, so a tie picks a generated neighbour: wrong.
      refNna[j] = min(rr[j], j) < best ? 1 : 0;
    }
    return new Items(
        genIn, genDensity, genNna, refIn, refCovered, refNearest, refIsNearest, refNna);
  }

  /** Euclidean distances between the rows of {@code a} and of {@code b}. */
  static double[][] distances(double[][] a, double[][] b) {
    double[][] d = new double[a.length][b.length];
    for (int i = 0; i < a.length; i++) {
      double[] x = a[i];
      for (int j = 0; j < b.length; j++) {
        double[] y = b[j];
        if (x.length != y.length) {
          throw new IllegalArgumentException(
              "feature vectors differ in length: " + x.length + " vs " + y.length);
        }
        double s = 0;
        for (int t = 0; t < x.length; t++) {
          double diff = x[t] - y[t];
          s += diff * diff;
        }
        d[i][j] = Math.sqrt(s);
      }
    }
    return d;
  }

  /** The k-th smallest entry of {@code row} leaving out index {@code skip}. */
  static double kthSmallest(double[] row, int skip, int k) {
    double[] rest = new double[row.length - 1];
    for (int t = 0, n = 0; t < row.length; t++) {
      if (t != skip) {
        rest[n++] = row[t];
      }
    }
    java.util.Arrays.sort(rest);
    return rest[k - 1];
  }

  private static double min(double[] row, int skip) {
    double best = Double.POSITIVE_INFINITY;
    for (int t = 0; t < row.length; t++) {
      if (t != skip) {
        best = Math.min(best, row[t]);
      }
    }
    return best;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
  }

  private static double mean(double[] v) {
    return sum(v) / v.length;
  }

  private static double sum(double[] v, int[] idx) {
    double s = 0;
    for (int i : idx) s += v[i];
    return s;
  }

  private static double mean(double[] v, int[] idx) {
    return sum(v, idx) / idx.length;
  }
}
