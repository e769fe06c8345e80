package io.distillery.mdt.data;

import java.util.stream.IntStream;

/**
 * How far generated colours are from the built-in ground truth: for one sample, the mean squared
 * error over its OCCUPIED voxels only (every channel, in the stored [-1, 1] range; values on empty
 * voxels are ignored), taken against each of the sample's {@link BuiltinAppearance#VARIANTS}
 * ground-truth colourings and the minimum kept. Colouring a structure with either palette is right,
 * so a sample matching one variant scores 0, while a blend of the palettes (what a model that
 * averages over the variants produces) scores above 0. Range 0 to 4.
 */
public final class AppearanceError {

  private AppearanceError() {}

  /**
   * Error of sample {@code i} of {@code truth}, with {@code sampleColours} holding that sample's
   * generated colours (channel, x, y, z; {@link AppearanceBatch#sampleSize()} values).
   */
  public static double of(AppearanceBatch truth, int i, float[] sampleColours) {
    if (sampleColours.length != truth.sampleSize()) {
      throw new IllegalArgumentException(
          "sample colours has " + sampleColours.length + " values, expected " + truth.sampleSize());
    }
    return sampleError(truth, i, sampleColours, 0);
  }

  /**
   * Mean over the samples of {@link #of}, with {@code colours} laid out like {@link
   * AppearanceBatch#colours()}.
   */
  public static double mean(AppearanceBatch truth, float[] colours) {
    long expected = (long) truth.count() * truth.sampleSize();
    if (colours.length != expected) {
      throw new IllegalArgumentException(
          "colours has " + colours.length + " values, expected " + expected + " for the batch");
    }
    if (truth.count() == 0) {
      return 0;
    }
    return IntStream.range(0, truth.count())
            .parallel()
            .mapToDouble(i -> sampleError(truth, i, colours, i * truth.sampleSize()))
            .sum()
        / truth.count();
  }

  private static double sampleError(AppearanceBatch truth, int i, float[] colours, int offset) {
    int size = truth.sampleSize();
    float[] variants = truth.variants(i);
    float[] occupancy = truth.shapes().occupancy(i);
    double best = Double.POSITIVE_INFINITY;
    for (int variant = 0; variant < BuiltinAppearance.VARIANTS; variant++) {
      best = Math.min(best, maskedMse(occupancy, colours, offset, variants, variant * size));
    }
    return best;
  }

  /** Mean squared difference over the voxels where {@code occupancy} is 1, all channels. */
  private static double maskedMse(
      float[] occupancy, float[] a, int aOffset, float[] b, int bOffset) {
    int v = occupancy.length;
    double sum = 0;
    long n = 0;
    for (int k = 0; k < v; k++) {
      if (occupancy[k] == 0f) {
        continue;
      }
      for (int c = 0; c < BuiltinAppearance.CHANNELS; c++) {
        double d = a[aOffset + c * v + k] - b[bOffset + c * v + k];
        sum += d * d;
      }
      n += BuiltinAppearance.CHANNELS;
    }
    return n == 0 ? 0 : sum / n;
  }
}
