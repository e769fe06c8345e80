package io.distillery.mdt.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A batch of cubic voxel grids with class labels, kept on the Java heap.
 *
 * <p>{@code data} is laid out N, C, D, H, W row-major (D = H = W = {@code resolution}); as spatial
 * axes D, H, W are x, y, z with y (H) pointing up, which the meshes and previews follow. Occupancy
 * grids use -1 for empty and +1 for filled, so a flow model's Gaussian noise and the data share a
 * symmetric range; latent datasets hold arbitrary floats.
 */
public record VoxelBatch(float[] data, int[] labels, int count, int channels, int resolution) {

  public VoxelBatch {
    if (count < 0 || channels < 1 || resolution < 1) {
      throw new IllegalArgumentException(
          "bad batch dimensions: count="
              + count
              + " channels="
              + channels
              + " resolution="
              + resolution);
    }
    long expected = (long) count * channels * resolution * resolution * resolution;
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "data has " + data.length + " values, expected " + expected + " for shape " + shape());
    }
    if (labels.length != count) {
      throw new IllegalArgumentException(
          "labels has " + labels.length + " entries, expected " + count);
    }
  }

  /** Values per sample (C * R^3). */
  public int sampleSize() {
    return channels * voxels();
  }

  /** Voxels per channel (R^3). */
  public int voxels() {
    return resolution * resolution * resolution;
  }

  /** The DJL shape N, C, R, R, R. */
  public Shape shape() {
    return new Shape(count, channels, resolution, resolution, resolution);
  }

  /** Copies the batch into a float32 array of shape N, C, R, R, R owned by {@code manager}. */
  public NDArray toNDArray(NDManager manager) {
    return manager.create(data, shape());
  }

  /** Copies a rank-5 cubic array (N, C, R, R, R) back to the heap. */
  public static VoxelBatch fromNDArray(NDArray x, int[] labels) {
    Shape s = x.getShape();
    if (s.dimension() != 5 || s.get(2) != s.get(3) || s.get(3) != s.get(4)) {
      throw new IllegalArgumentException("expected shape N, C, R, R, R, got " + s);
    }
    float[] values =
        x.getDataType() == DataType.FLOAT32
            ? x.toFloatArray()
            : x.toType(DataType.FLOAT32, false).toFloatArray();
    return new VoxelBatch(values, labels, (int) s.get(0), (int) s.get(1), (int) s.get(2));
  }

  /** Samples {@code from} (inclusive) to {@code to} (exclusive), copied. */
  public VoxelBatch slice(int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IndexOutOfBoundsException("slice " + from + ".." + to + " of " + count);
    }
    int n = sampleSize();
    return new VoxelBatch(
        Arrays.copyOfRange(data, from * n, to * n),
        Arrays.copyOfRange(labels, from, to),
        to - from,
        channels,
        resolution);
  }

  /** Samples at the given indices, copied, in that order. */
  public VoxelBatch select(int[] indices) {
    int n = sampleSize();
    float[] out = new float[indices.length * n];
    int[] outLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(data, indices[k] * n, out, k * n, n);
      outLabels[k] = labels[indices[k]];
    }
    return new VoxelBatch(out, outLabels, indices.length, channels, resolution);
  }

  /** Occupancy of sample {@code i}: 1 where channel 0 is above 0, else 0 (R^3 values, D,H,W). */
  public float[] occupancy(int i) {
    int v = voxels();
    int base = i * sampleSize();
    float[] occ = new float[v];
    for (int k = 0; k < v; k++) {
      occ[k] = data[base + k] > 0f ? 1f : 0f;
    }
    return occ;
  }

  /** Samples with every channel-0 value mapped to -1/+1 by its sign (one channel). */
  public VoxelBatch binarized() {
    int v = voxels();
    float[] out = new float[count * v];
    for (int i = 0; i < count; i++) {
      int base = i * sampleSize();
      for (int k = 0; k < v; k++) {
        out[i * v + k] = data[base + k] > 0f ? 1f : -1f;
      }
    }
    return new VoxelBatch(out, labels.clone(), count, 1, resolution);
  }

  /** Joins batches of the same channels and resolution. */
  public static VoxelBatch concat(VoxelBatch a, VoxelBatch b) {
    if (a.channels != b.channels || a.resolution != b.resolution) {
      throw new IllegalArgumentException(
          "cannot join " + a.shape() + " and " + b.shape() + ": channels or resolution differ");
    }
    float[] d = Arrays.copyOf(a.data, a.data.length + b.data.length);
    System.arraycopy(b.data, 0, d, a.data.length, b.data.length);
    int[] l = Arrays.copyOf(a.labels, a.count + b.count);
    System.arraycopy(b.labels, 0, l, a.count, b.count);
    return new VoxelBatch(d, l, a.count + b.count, a.channels, a.resolution);
  }
}
