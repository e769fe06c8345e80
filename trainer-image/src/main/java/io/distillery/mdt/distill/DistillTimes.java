package io.distillery.mdt.distill;

import io.distillery.mdt.flow.FlowMatching;
import java.util.SplittableRandom;

/**
 * Training times of MDT-dist and CM (docs/algorithm.md section 3, step 1): {@code s =
 * sigmoid(N(mean, std))}, then {@code t = sigma_min + delta + (1 - delta - sigma_min) s}, so that
 * {@code t - delta} (the teacher's Euler step target) never falls below sigma_min and t stays below
 * 1.
 */
public final class DistillTimes {
  private DistillTimes() {}

  public static float[] sample(SplittableRandom r, int n, double mean, double std, double delta) {
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 1 / (1 + Math.exp(-(mean + std * r.nextGaussian())));
      t[i] = (float) shift(s, delta);
    }
    return t;
  }

  /** Maps {@code s} in [0, 1] into {@code [sigma_min + delta, 1]}. */
  public static double shift(double s, double delta) {
    double smin = FlowMatching.SIGMA_MIN;
    return smin + delta + (1 - delta - smin) * s;
  }
}
