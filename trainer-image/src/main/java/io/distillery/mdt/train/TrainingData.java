package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.model.SampleSupport;

/** Labelled grids that training draws batches from. */
public interface TrainingData {
  int size();

  int channels();

  int resolution();

  int numClasses();

  /** float32 {@code (B, C, R, R, R)} for the samples at {@code indices}. */
  NDArray grids(NDManager manager, int[] indices);

  /** int64 {@code (B)} class labels of the samples at {@code indices}. */
  NDArray labels(NDManager manager, int[] indices);

  /**
   * Where the samples at {@code indices} live: the whole grid (the structure stage), or their
   * structures' occupied voxels (the appearance stage).
   */
  default SampleSupport support(NDManager manager, int[] indices) {
    return SampleSupport.dense();
  }

  /**
   * How many voxels a loss over the samples at {@code indices} averages over: whole grids, or the
   * structures' occupied voxels (counted on the host).
   */
  default long supportVoxels(int[] indices) {
    long r = resolution();
    return indices.length * r * r * r;
  }

  /**
   * The weight of a data-parallel shard's mean in the mean over the global batch: its share of the
   * voxels averaged over; exactly 1 for the whole batch.
   */
  default double share(int[] global, int[] shard) {
    if (shard.length == global.length) {
      return 1.0;
    }
    return (double) supportVoxels(shard) / supportVoxels(global);
  }
}
