package io.distillery.mdt.eval;

/**
 * Intersection over union of occupancy grids, and the distance 1 - IoU used by {@link SetMetrics}.
 * Grids are packed into bit sets so that the pairwise distances of hundreds of shapes cost a few
 * milliseconds.
 */
public final class VoxelIoU {
  private VoxelIoU() {}

  /** IoU of two occupancy grids (value > 0.5 is filled); two empty grids count as identical. */
  public static double iou(float[] a, float[] b) {
    return iou(pack(a), pack(b));
  }

  /** 1 - IoU. */
  public static double distance(float[] a, float[] b) {
    return 1 - iou(a, b);
  }

  /** Packs an occupancy grid (value > 0.5 is filled) into bits. */
  public static long[] pack(float[] occupancy) {
    long[] bits = new long[(occupancy.length + 63) / 64];
    for (int i = 0; i < occupancy.length; i++) {
      if (occupancy[i] > 0.5f) {
        bits[i >>> 6] |= 1L << (i & 63);
      }
    }
    return bits;
  }

  public static double iou(long[] a, long[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("grids differ in size: " + a.length + " vs " + b.length);
    }
    long inter = 0;
    long union = 0;
    for (int i = 0; i < a.length; i++) {
      inter += Long.bitCount(a[i] & b[i]);
      union += Long.bitCount(a[i] | b[i]);
    }
    return union == 0 ? 1.0 : (double) inter / union;
  }

  public static double distance(long[] a, long[] b) {
    return 1 - iou(a, b);
  }
}
