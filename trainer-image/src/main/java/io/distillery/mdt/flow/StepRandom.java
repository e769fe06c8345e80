package io.distillery.mdt.flow;

import java.util.SplittableRandom;

/**
 * Randomness derived from (seed, step, stream) alone, so a resumed run draws exactly the numbers
 * the uninterrupted run would have drawn, with no generator state to save. Streams separate
 * independent uses within one step (batch indices, noise, times, ...).
 */
public final class StepRandom {
  private StepRandom() {}

  public static SplittableRandom of(long seed, long step, long stream) {
    long mixed = new SplittableRandom(seed).split().nextLong() ^ (step * 0x9E3779B97F4A7C15L);
    return new SplittableRandom(mixed + stream * 0xBF58476D1CE4E5B9L);
  }

  /** {@code n} standard normal draws. */
  public static float[] gaussian(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
