package io.distillery.mdt.data;

import io.distillery.mdt.data.BuiltinShapes.Split;

/**
 * Built-in shapes with per-voxel colours, from {@link BuiltinAppearance#generate}.
 *
 * @param shapes the occupancy grids and labels, as {@link BuiltinShapes#generate} returns them for
 *     the same arguments
 * @param colours RGB per voxel laid out N, {@value BuiltinAppearance#CHANNELS}, R, R, R with the
 *     occupancy's spatial index {@code (x * R + y) * R + z}; each channel c in [0, 1] stored as 2c
 *     - 1, so in [-1, 1]; exactly 0 on empty voxels
 * @param variant the palette each sample is coloured with, 0 to {@value BuiltinAppearance#VARIANTS}
 *     - 1
 * @param seed the seed the batch was generated with; {@link #variants} regenerates from it
 * @param split the split the batch was generated from
 */
public record AppearanceBatch(
    VoxelBatch shapes, float[] colours, int[] variant, long seed, Split split) {

  public AppearanceBatch {
    if (shapes.channels() != 1) {
      throw new IllegalArgumentException(
          "shapes must be occupancy grids of 1 channel, got " + shapes.channels());
    }
    long expected = (long) shapes.count() * BuiltinAppearance.CHANNELS * shapes.voxels();
    if (colours.length != expected) {
      throw new IllegalArgumentException(
          "colours has " + colours.length + " values, expected " + expected);
    }
    if (variant.length != shapes.count()) {
      throw new IllegalArgumentException(
          "variant has " + variant.length + " entries, expected " + shapes.count());
    }
  }

  public int count() {
    return shapes.count();
  }

  public int resolution() {
    return shapes.resolution();
  }

  /** Values per sample in {@link #colours} ({@value BuiltinAppearance#CHANNELS} * R^3). */
  public int sampleSize() {
    return BuiltinAppearance.CHANNELS * shapes.voxels();
  }

  /**
   * Ground truth of sample {@code i}: its structure coloured with every variant, laid out (variant,
   * channel, x, y, z), {@value BuiltinAppearance#VARIANTS} * {@link #sampleSize()} values; the
   * block of {@code variant()[i]} equals the sample's colours. Regenerated on each call.
   */
  public float[] variants(int i) {
    if (i < 0 || i >= count()) {
      throw new IndexOutOfBoundsException("sample " + i + " of " + count());
    }
    return BuiltinAppearance.variants(resolution(), seed, split, i);
  }
}
