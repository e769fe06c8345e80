package io.distillery.mdt.render;

/**
 * Reads per-voxel colours: {@code 3 * R^3} values, layout (channel, x, y, z) with spatial index
 * {@code (x * R + y) * R + z}, each in [-1, 1] meaning the colour {@code (v + 1) / 2} clamped to
 * [0, 1], quantised to 8 bits per channel (sRGB).
 */
public final class VoxelColours {
  private VoxelColours() {}

  /** Fails unless {@code colours} holds 3 channels of R^3 values. */
  static void check(float[] colours, int r) {
    long expected = 3L * r * r * r;
    if (colours.length != expected) {
      throw new IllegalArgumentException(
          "colours has " + colours.length + " values, not 3 * " + r + "^3 = " + expected);
    }
  }

  /** The colour of voxel {@code voxel} (its spatial index) as 0xRRGGBB. */
  public static int rgb(float[] colours, int r, int voxel) {
    int n = r * r * r;
    return channel(colours, voxel) << 16
        | channel(colours, n + voxel) << 8
        | channel(colours, 2 * n + voxel);
  }

  private static int channel(float[] colours, int i) {
    float v = colours[i];
    if (Float.isNaN(v)) {
      throw new IllegalArgumentException("colours[" + i + "] is NaN");
    }
    float c = Math.min(1f, Math.max(0f, (v + 1) / 2));
    return Math.round(c * 255);
  }
}
