package io.distillery.mdt.probe;

/**
 * A feature vector of an occupancy grid that does not depend on any model: the grid average-pooled
 * to {@value #CELLS}^3 cells (the filled share of each cell, any resolution from {@value #CELLS}
 * up) and the filled share of the whole grid, {@value #CELLS}^3 + 1 values in [0, 1]. Coarse, but
 * it tells an empty or blob-shaped output from a shape, and where a shape's mass sits.
 */
public final class OccupancyDescriptor {
  static final int CELLS = 4;

  /** Length of a descriptor. */
  public static final int LENGTH = CELLS * CELLS * CELLS + 1;

  private OccupancyDescriptor() {}

  /** {@code grid}: filled voxels at index {@code (x R + y) R + z}. */
  public static double[] of(boolean[] grid, int resolution) {
    if (resolution < CELLS || grid.length != resolution * resolution * resolution) {
      throw new IllegalArgumentException(
          "expected a grid of at least " + CELLS + "^3 voxels, got " + grid.length);
    }
    double[] filled = new double[LENGTH];
    double[] voxels = new double[LENGTH - 1];
    int total = 0;
    for (int x = 0; x < resolution; x++) {
      for (int y = 0; y < resolution; y++) {
        for (int z = 0; z < resolution; z++) {
          int cell =
              (cell(x, resolution) * CELLS + cell(y, resolution)) * CELLS + cell(z, resolution);
          voxels[cell]++;
          if (grid[(x * resolution + y) * resolution + z]) {
            filled[cell]++;
            total++;
          }
        }
      }
    }
    for (int c = 0; c < voxels.length; c++) {
      filled[c] /= voxels[c];
    }
    filled[LENGTH - 1] = total / (double) grid.length;
    return filled;
  }

  private static int cell(int i, int resolution) {
    return i * CELLS / resolution;
  }
}
