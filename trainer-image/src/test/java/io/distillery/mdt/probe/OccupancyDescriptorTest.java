package io.distillery.mdt.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OccupancyDescriptorTest {
  @Test
  void poolsToFourCubedCellsPlusTheFillFraction() {
    int r = 8;
    boolean[] grid = new boolean[r * r * r];
    grid[0] = true; // voxel (0, 0, 0): cell (0, 0, 0) holds 2^3 voxels
    grid[(7 * r + 7) * r + 7] = true; // the last cell
    double[] d = OccupancyDescriptor.of(grid, r);
    assertThat(d).hasSize(OccupancyDescriptor.LENGTH);
    assertThat(d[0]).isEqualTo(1 / 8.0);
    assertThat(d[63]).isEqualTo(1 / 8.0);
    assertThat(d[64]).isEqualTo(2 / 512.0);
    assertThat(OccupancyDescriptor.of(new boolean[r * r * r], r)).containsOnly(0.0);
  }
}
