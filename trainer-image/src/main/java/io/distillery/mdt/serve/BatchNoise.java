package io.distillery.mdt.serve;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Draws the starting noise of a whole batch in one call: sample {@code i}'s {@code size} values
 * from {@code new SplittableRandom(seeds[i]).nextGaussian()}, in order, into {@code into}.
 *
 * <p>The noise stays a function of the seed alone, on every device and libtorch version, which a
 * device RNG would not give: the same seed on CPU and GPU, batched or alone, and through {@code mdt
 * sample}, starts from the same noise.
 */
interface BatchNoise {
  void fill(long[] seeds, int size, FloatBuffer into);

  /** The serving noise: one {@link SplittableRandom} per sample. */
  BatchNoise SEEDED =
      (seeds, size, into) -> {
        for (long seed : seeds) {
          SplittableRandom rng = new SplittableRandom(seed);
          for (int j = 0; j < size; j++) {
            into.put((float) rng.nextGaussian());
          }
        }
      };
}
