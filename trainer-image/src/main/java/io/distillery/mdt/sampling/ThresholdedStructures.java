package io.distillery.mdt.sampling;

import io.distillery.mdt.data.VoxelBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The step between the two stages of a pipeline (docs/algorithm.md section 9): structure samples
 * thresholded to occupancy, and which of them have any voxel for the appearance stage to colour.
 */
public final class ThresholdedStructures {
  private ThresholdedStructures() {}

  /** One channel, +1 where the structure sample is above {@code threshold}, else -1. */
  public static VoxelBatch occupancy(VoxelBatch structures, double threshold) {
    int v = structures.voxels();
    float[] out = new float[structures.count() * v];
    for (int i = 0; i < structures.count(); i++) {
      int base = i * structures.sampleSize();
      for (int k = 0; k < v; k++) {
        out[i * v + k] = structures.data()[base + k] > threshold ? 1f : -1f;
      }
    }
    return new VoxelBatch(
        out, structures.labels().clone(), structures.count(), 1, structures.resolution());
  }

  /** Indices of the grids with at least one occupied voxel. */
  public static int[] nonEmpty(VoxelBatch occupancy) {
    int v = occupancy.voxels();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < occupancy.count(); i++) {
      for (int k = 0; k < v; k++) {
        if (occupancy.data()[i * v + k] > 0) {
          out.add(i);
          break;
        }
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
