package io.distillery.mdt.eval;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.stat.correlation.Covariance;

/**
 * Frechet distance between Gaussians fitted to two feature sets (the FID formula): |mu_a - mu_b|^2
 * + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
 *
 * <p>The trace of the matrix square root is computed as Tr((A S_b A)^(1/2)) with A = S_a^(1/2),
 * which is similar to (S_a S_b)^(1/2) but symmetric, so both roots come from eigen-decompositions
 * of symmetric positive semi-definite matrices (tiny negative eigenvalues from rounding are set to
 * 0). Covariances are unbiased (divide by n - 1), as in numpy's {@code np.cov}.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** Mean and covariance of a feature set. */
  public record Gaussian(double[] mean, RealMatrix covariance) {
    public static Gaussian fit(double[][] features) {
      if (features.length < 2) {
        throw new IllegalArgumentException(
            "need at least 2 feature vectors to fit a covariance, got " + features.length);
      }
      int d = features[0].length;
      double[] mean = new double[d];
      for (double[] f : features) {
        if (f.length != d) {
          throw new IllegalArgumentException(
              "feature vectors differ in length: " + f.length + " vs " + d);
        }
        for (int j = 0; j < d; j++) {
          mean[j] += f[j] / features.length;
        }
      }
      RealMatrix cov = new Covariance(features, true).getCovarianceMatrix();
      return new Gaussian(mean, cov);
    }

    /** The Gaussian of the rows picked by {@code rows} (repeats allowed), unbiased covariance. */
    public static Gaussian fit(double[][] features, int[] rows) {
      int n = rows.length;
      if (n < 2) {
        throw new IllegalArgumentException("need at least 2 feature vectors, got " + n);
      }
      int d = features[rows[0]].length;
      double[] mean = new double[d];
      for (int r : rows) {
        double[] f = features[r];
        for (int j = 0; j < d; j++) mean[j] += f[j];
      }
      for (int j = 0; j < d; j++) mean[j] /= n;
      double[][] cov = new double[d][d];
      double[] c = new double[d];
      for (int r : rows) {
        double[] f = features[r];
        for (int j = 0; j < d; j++) c[j] = f[j] - mean[j];
        for (int j = 0; j < d; j++) {
          double cj = c[j];
          double[] row = cov[j];
          for (int k = j; k < d; k++) row[k] += cj * c[k];
        }
      }
      for (int j = 0; j < d; j++) {
        for (int k = j; k < d; k++) {
          cov[j][k] /= n - 1;
          cov[k][j] = cov[j][k];
        }
      }
      return new Gaussian(mean, new Array2DRowRealMatrix(cov, false));
    }
  }

  /** FD between two sets of feature vectors (rows). */
  public static double compute(double[][] a, double[][] b) {
    return compute(Gaussian.fit(a), Gaussian.fit(b));
  }

  public static double compute(Gaussian a, Gaussian b) {
    return compute(a, sqrtPsd(a.covariance), b);
  }

  /**
   * FD with the root of {@code a}'s covariance given, for many {@code b} against one {@code a} (a
   * bootstrap computes it once per reference resample).
   */
  public static double compute(Gaussian a, RealMatrix sqrtCovA, Gaussian b) {
    if (a.mean.length != b.mean.length) {
      throw new IllegalArgumentException(
          "feature dimensions differ: " + a.mean.length + " vs " + b.mean.length);
    }
    double meanTerm = 0;
    for (int i = 0; i < a.mean.length; i++) {
      double diff = a.mean[i] - b.mean[i];
      meanTerm += diff * diff;
    }
    RealMatrix inner = sqrtCovA.multiply(b.covariance).multiply(sqrtCovA);
    double traceRoot = 0;
    for (double lambda : symmetricEigenvalues(inner)) {
      traceRoot += Math.sqrt(Math.max(lambda, 0));
    }
    double fd = meanTerm + a.covariance.getTrace() + b.covariance.getTrace() - 2 * traceRoot;
    return Math.max(fd, 0);
  }

  /** Square root of a symmetric positive semi-definite matrix. */
  public static RealMatrix sqrtPsd(RealMatrix m) {
    RealMatrix sym = symmetrised(m);
    EigenDecomposition eig = new EigenDecomposition(sym);
    double[] values = eig.getRealEigenvalues();
    RealMatrix v = eig.getV();
    int n = values.length;
    RealMatrix scaled = new Array2DRowRealMatrix(n, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        scaled.setEntry(i, j, v.getEntry(i, j) * Math.sqrt(Math.max(values[j], 0)));
      }
    }
    return scaled.multiply(v.transpose());
  }

  private static double[] symmetricEigenvalues(RealMatrix m) {
    return new EigenDecomposition(symmetrised(m)).getRealEigenvalues();
  }

  /** (M + M^T) / 2: removes rounding asymmetry so the symmetric eigen-solver applies. */
  private static RealMatrix symmetrised(RealMatrix m) {
    return m.add(m.transpose()).scalarMultiply(0.5);
  }
}
