package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.model.NoGrad;
import java.util.Arrays;
import java.util.Collection;

/**
 * Adaptive global-norm gradient clipping (docs/algorithm.md section 5): the clip bound is {@code
 * min(maxNorm, p-th percentile of the last window global norms)}. As in TRELLIS's {@code
 * AdaptiveGradClipper}, the percentile takes over only once the window is full (before that the
 * bound is {@code maxNorm}), non-finite norms are not recorded, and the scale is {@code bound /
 * (norm + 1e-6)} when the norm exceeds the bound.
 */
public final class AdaptiveGradClip {
  private final double maxNorm;
  private final double percentile;
  private final double[] window;
  private int next;
  private int filled;

  public AdaptiveGradClip(double maxNorm, double percentile, int windowSize) {
    if (!(maxNorm > 0) || !(percentile > 0 && percentile <= 100) || windowSize < 1) {
      throw new IllegalArgumentException(
          "gradClip needs maxNorm > 0, percentile in (0, 100], window >= 1");
    }
    this.maxNorm = maxNorm;
    this.percentile = percentile;
    this.window = new double[windowSize];
  }

  /** The bound the next call clips to. */
  public double currentBound() {
    return filled == window.length ? Math.min(maxNorm, percentile(window, percentile)) : maxNorm;
  }

  /**
   * Clips {@code grads} in place to the current bound; returns their global norm before clipping.
   */
  public double clip(Collection<NDArray> grads) {
    if (grads.isEmpty()) {
      return 0;
    }
    double bound = currentBound();
    double norm;
    try (NoGrad ignored = NoGrad.enter()) {
      // Every tensor's sum of squares on the device, read back at once: one host synchronisation
      // a step instead of one per tensor; summed in double in the same order as before.
      double sq = 0;
      NDArray first = grads.iterator().next();
      try (NDManager local = first.getManager().newSubManager()) {
        NDList sums = new NDList(grads.size());
        for (NDArray g : grads) {
          g.tempAttach(local);
          sums.add(g.square().sum());
        }
        for (float s : NDArrays.stack(sums).toFloatArray()) {
          sq += s;
        }
      }
      norm = Math.sqrt(sq);
      double scale = bound / (norm + 1e-6);
      if (scale < 1) {
        for (NDArray g : grads) {
          g.muli(scale);
        }
      }
    }
    if (Double.isFinite(norm)) {
      window[next] = norm;
      next = (next + 1) % window.length;
      filled = Math.min(filled + 1, window.length);
    }
    return norm;
  }

  /** numpy's default (linear interpolation) percentile. */
  static double percentile(double[] values, double p) {
    double[] s = values.clone();
    Arrays.sort(s);
    double pos = p / 100.0 * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  /** What a checkpoint stores to continue exactly. */
  public record State(double[] window, int next, int filled) {}

  public State state() {
    return new State(window.clone(), next, filled);
  }

  public void restore(State s) {
    if (s.window().length != window.length) {
      throw new IllegalArgumentException(
          "checkpoint clip window has "
              + s.window().length
              + " entries, config says "
              + window.length);
    }
    System.arraycopy(s.window(), 0, window, 0, window.length);
    next = s.next();
    filled = s.filled();
  }
}
