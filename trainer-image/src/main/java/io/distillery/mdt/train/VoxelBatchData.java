package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.SampleSupport;

/**
 * Adapts heap {@link VoxelBatch}es (the data package's type) to {@link TrainingData}: the samples,
 * and for the appearance stage the structures they live on.
 */
public final class VoxelBatchData implements TrainingData {
  private final VoxelBatch batch;
  private final VoxelBatch structure;
  private final int numClasses;
  private final long[] occupied;

  /** The training split of a loaded dataset, with its structures if it has them. */
  public static VoxelBatchData of(LoadedDataset train) {
    return new VoxelBatchData(train.batch(), train.structure(), train.numClasses());
  }

  public VoxelBatchData(VoxelBatch batch, int numClasses) {
    this(batch, null, numClasses);
  }

  private VoxelBatchData(VoxelBatch batch, VoxelBatch structure, int numClasses) {
    if (batch.count() < 1) {
      throw new IllegalArgumentException("the training split is empty");
    }
    for (int label : batch.labels()) {
      if (label < 0 || label >= numClasses) {
        throw new IllegalArgumentException(
            "label " + label + " is outside the " + numClasses + " classes of the dataset");
      }
    }
    this.batch = batch;
    this.structure = structure;
    this.numClasses = numClasses;
    this.occupied = structure == null ? null : occupiedVoxels(structure);
  }

  @Override
  public int size() {
    return batch.count();
  }

  @Override
  public int channels() {
    return batch.channels();
  }

  @Override
  public int resolution() {
    return batch.resolution();
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public NDArray grids(NDManager manager, int[] indices) {
    int n = batch.sampleSize();
    float[] out = new float[indices.length * n];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(batch.data(), indices[i] * n, out, i * n, n);
    }
    int r = batch.resolution();
    return manager.create(out, new Shape(indices.length, batch.channels(), r, r, r));
  }

  @Override
  public NDArray labels(NDManager manager, int[] indices) {
    long[] l = new long[indices.length];
    for (int i = 0; i < indices.length; i++) {
      l[i] = batch.labels()[indices[i]];
    }
    return manager.create(l);
  }

  private static long[] occupiedVoxels(VoxelBatch structure) {
    int v = structure.voxels();
    long[] counts = new long[structure.count()];
    for (int i = 0; i < counts.length; i++) {
      for (int k = 0; k < v; k++) {
        if (structure.data()[i * v + k] > 0) {
          counts[i]++;
        }
      }
    }
    return counts;
  }

  @Override
  public long supportVoxels(int[] indices) {
    if (occupied == null) {
      return TrainingData.super.supportVoxels(indices);
    }
    long n = 0;
    for (int i : indices) {
      n += occupied[i];
    }
    return n;
  }

  /** The structures' occupied voxels as float 0/1 {@code (B, 1, R, R, R)}; dense without them. */
  @Override
  public SampleSupport support(NDManager manager, int[] indices) {
    if (structure == null) {
      return SampleSupport.dense();
    }
    int v = structure.voxels();
    float[] out = new float[indices.length * v];
    for (int i = 0; i < indices.length; i++) {
      for (int k = 0; k < v; k++) {
        out[i * v + k] = structure.data()[indices[i] * v + k] > 0 ? 1f : 0f;
      }
    }
    int r = structure.resolution();
    return SampleSupport.on(manager.create(out, new Shape(indices.length, 1, r, r, r)), out);
  }
}
