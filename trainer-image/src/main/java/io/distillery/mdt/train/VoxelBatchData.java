package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.data.VoxelBatch;

/** Adapts a heap {@link VoxelBatch} (the data package's type) to {@link TrainingData}. */
public final class VoxelBatchData implements TrainingData {
  private final VoxelBatch batch;
  private final int numClasses;

  public VoxelBatchData(VoxelBatch batch, int numClasses) {
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
    this.numClasses = numClasses;
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
}
