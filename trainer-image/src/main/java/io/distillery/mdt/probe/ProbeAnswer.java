package io.distillery.mdt.probe;

import java.util.List;

/**
 * A side's answer to one {@link ProbeRequest}: the model digest it reported and the samples as
 * occupancy grids ({@code resolution}^3 voxels, index {@code (x R + y) R + z}).
 */
public record ProbeAnswer(String digest, int resolution, List<boolean[]> grids) {

  /** Samples with no filled voxel. */
  int empty() {
    int n = 0;
    for (boolean[] g : grids) {
      boolean filled = false;
      for (int v = 0; v < g.length && !filled; v++) {
        filled = g[v];
      }
      n += filled ? 0 : 1;
    }
    return n;
  }
}
