package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Class c occupies slab c of an 8^3 grid (+1 inside, -1 outside): learnable in a few steps. */
public final class SyntheticData implements TrainingData {
  private final int size;
  private final float fill;

  public SyntheticData(int size) {
    this(size, 1f);
  }

  public SyntheticData(int size, float fill) {
    this.size = size;
    this.fill = fill;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public int resolution() {
    return 8;
  }

  @Override
  public int numClasses() {
    return 3;
  }

  @Override
  public NDArray grids(NDManager manager, int[] indices) {
    float[] v = new float[indices.length * 512];
    for (int b = 0; b < indices.length; b++) {
      int c = indices[b] % 3;
      for (int i = 0; i < 512; i++) {
        int d = i / 64;
        v[b * 512 + i] = (d / 3 == c) ? fill : -fill;
      }
    }
    return manager.create(v, new Shape(indices.length, 1, 8, 8, 8));
  }

  @Override
  public NDArray labels(NDManager manager, int[] indices) {
    long[] l = new long[indices.length];
    for (int b = 0; b < indices.length; b++) {
      l[b] = indices[b] % 3;
    }
    return manager.create(l);
  }
}
