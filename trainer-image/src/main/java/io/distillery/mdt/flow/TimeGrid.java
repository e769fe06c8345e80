package io.distillery.mdt.flow;

/**
 * The sampler's time grid: {@code linspace(1, 0, N + 1)}, then {@code t <- r t / (1 + (r - 1) t)}
 * with {@code r = rescaleT} (1 leaves it linear). Starts at 1 and ends at 0 for every {@code r}.
 */
public final class TimeGrid {
  private TimeGrid() {}

  public static double[] of(int steps, double rescaleT) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
    if (!(rescaleT > 0)) {
      throw new IllegalArgumentException("rescaleT must be positive, got " + rescaleT);
    }
    double[] t = new double[steps + 1];
    for (int i = 0; i <= steps; i++) {
      t[i] = rescale(1.0 - (double) i / steps, rescaleT);
    }
    return t;
  }

  public static double rescale(double t, double r) {
    return r * t / (1 + (r - 1) * t);
  }
}
