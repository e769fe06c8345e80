package io.distillery.mdt.data;

import java.util.List;

/**
 * The structures an appearance-stage distillation colours when no colours come with them (a
 * structure dataset or a structure model): occupancy grids (+1 filled, -1 empty, one channel) with
 * their classes.
 *
 * @param occupancy one grid per structure, every one with at least one filled voxel
 * @param classNames the name of each label
 * @param dropped how many empty structures were left out
 */
public record AppearanceStructures(VoxelBatch occupancy, List<String> classNames, int dropped) {
  public AppearanceStructures {
    if (occupancy.channels() != 1) {
      throw new IllegalArgumentException(
          "occupancy must have 1 channel, got " + occupancy.channels());
    }
    classNames = List.copyOf(classNames);
  }

  /**
   * The structures of {@code grids}: channel 0 thresholded at 0 (a voxel is occupied where its
   * value is above 0, the pipeline's threshold convention; further channels are not read), empty
   * ones left out.
   */
  public static AppearanceStructures of(VoxelBatch grids, List<String> classNames) {
    int v = grids.voxels();
    float[] out = new float[grids.count() * v];
    int[] kept = new int[grids.count()];
    int n = 0;
    for (int i = 0; i < grids.count(); i++) {
      int base = i * grids.sampleSize();
      boolean any = false;
      for (int k = 0; k < v; k++) {
        boolean filled = grids.data()[base + k] > 0;
        out[n * v + k] = filled ? 1f : -1f;
        any |= filled;
      }
      if (any) {
        kept[n++] = i;
      }
    }
    int[] labels = new int[n];
    for (int j = 0; j < n; j++) {
      labels[j] = grids.labels()[kept[j]];
    }
    float[] data = java.util.Arrays.copyOf(out, n * v);
    return new AppearanceStructures(
        new VoxelBatch(data, labels, n, 1, grids.resolution()), classNames, grids.count() - n);
  }
}
