package io.distillery.mdt.sampling;

import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;
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

  /**
   * The appearance stage on thresholded structures, as every runner of a chain does it: structure
   * {@code i} is coloured with its class and seed {@code seeds[i]} on the appearance noise stream;
   * an empty one gets no appearance and stays zero.
   */
  public static VoxelBatch colour(
      VelocityModel appearance, SamplerSettings s, VoxelBatch occupancy, long[] seeds, int batch) {
    int[] labels = occupancy.labels();
    int[] filled = nonEmpty(occupancy);
    int channels = (int) appearance.sampleShape().get(0);
    VoxelBatch out =
        new VoxelBatch(
            new float[labels.length * channels * occupancy.voxels()],
            labels.clone(),
            labels.length,
            channels,
            occupancy.resolution());
    if (filled.length == 0) {
      return out;
    }
    long[] filledSeeds = new long[filled.length];
    int[] filledLabels = new int[filled.length];
    for (int k = 0; k < filled.length; k++) {
      filledSeeds[k] = seeds[filled[k]];
      filledLabels[k] = labels[filled[k]];
    }
    VoxelBatch coloured =
        SeededSampling.sample(
            appearance,
            s,
            filledLabels,
            filledSeeds,
            SeededSampling.APPEARANCE_STREAM,
            batch,
            occupancy.select(filled));
    int per = out.sampleSize();
    for (int k = 0; k < filled.length; k++) {
      System.arraycopy(coloured.data(), k * per, out.data(), filled[k] * per, per);
    }
    return out;
  }

  /** Seed {@code first + i} for sample {@code i}: the seeds of a run's consecutive samples. */
  public static long[] consecutiveSeeds(long first, int count) {
    long[] seeds = new long[count];
    for (int i = 0; i < count; i++) {
      seeds[i] = first + i;
    }
    return seeds;
  }
}
