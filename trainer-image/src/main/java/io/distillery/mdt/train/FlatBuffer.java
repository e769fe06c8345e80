package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One contiguous tensor that holds the tensors of a {@link Weights} set (optimizer moments, an EMA
 * shadow) as named views into it. An element-wise update then runs as a handful of operations over
 * the whole buffer instead of a dozen per tensor: each libtorch call through DJL costs about ten
 * microseconds whatever its size, which made AdamW the largest cost of a training step outside the
 * networks (BENCHMARKS.md, training throughput). Every element sees the same operations as before,
 * so results are bit for bit those of the per-tensor update. The views are ordinary named tensors:
 * saved, loaded and copied into as before.
 */
final class FlatBuffer implements AutoCloseable {
  private final NDManager manager;
  private final NDArray flat;
  private final List<String> names;
  private final long[] sizes;
  private final Weights views;

  private FlatBuffer(Weights like, NDArray flat, NDManager manager) {
    this.manager = manager;
    this.flat = flat;
    this.names = new ArrayList<>(like.asMap().keySet());
    this.sizes = new long[names.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = like.get(names.get(i)).size();
    }
    this.views = Weights.create(like.device());
    NDList parts = split(flat, like);
    for (int i = 0; i < sizes.length; i++) {
      views.put(names.get(i), parts.get(i));
    }
  }

  /** Whether {@code w} can be held flat: float32 tensors, at least one. */
  static boolean fits(Weights w) {
    return !w.asMap().isEmpty()
        && w.asMap().values().stream().allMatch(a -> a.getDataType() == DataType.FLOAT32);
  }

  /** Zeros with the names and shapes of {@code like}. */
  static FlatBuffer zerosLike(Weights like) {
    NDManager m = NDManager.newBaseManager(like.device());
    return new FlatBuffer(like, m.zeros(new ai.djl.ndarray.types.Shape(like.parameterCount())), m);
  }

  /** A copy of {@code like}'s values. */
  static FlatBuffer copyOf(Weights like) {
    NDManager m = NDManager.newBaseManager(like.device());
    try (NoGrad ignored = NoGrad.enter();
        NDManager scratch = m.newSubManager()) {
      NDArray flat = concat(like.asMap().values(), scratch);
      flat.attach(m);
      return new FlatBuffer(like, flat, m);
    }
  }

  /** The named views. */
  Weights views() {
    return views;
  }

  /** The whole buffer. */
  NDArray flat() {
    return flat;
  }

  /**
   * The arrays of {@code byName} in this buffer's order, concatenated into one flat array in {@code
   * scratch}; null when one is missing.
   */
  NDArray gather(Map<String, NDArray> byName, NDManager scratch) {
    List<NDArray> parts = new ArrayList<>(names.size());
    for (String n : names) {
      NDArray a = byName.get(n);
      if (a == null) {
        return null;
      }
      parts.add(a);
    }
    return concat(parts, scratch);
  }

  /** {@code flatLike} (a flat array of this buffer's size) as one view per tensor, in order. */
  NDList split(NDArray flatLike) {
    return split(flatLike, views);
  }

  List<String> names() {
    return names;
  }

  private static NDList split(NDArray flatLike, Weights shapes) {
    long[] at = new long[shapes.asMap().size() - 1];
    long offset = 0;
    int i = 0;
    List<NDArray> arrays = new ArrayList<>(shapes.asMap().values());
    for (; i < at.length; i++) {
      offset += arrays.get(i).size();
      at[i] = offset;
    }
    NDList parts = at.length == 0 ? new NDList(flatLike) : flatLike.split(at);
    NDList shaped = new NDList(parts.size());
    for (int k = 0; k < parts.size(); k++) {
      shaped.add(parts.get(k).reshape(arrays.get(k).getShape()));
    }
    return shaped;
  }

  private static NDArray concat(Collection<NDArray> arrays, NDManager scratch) {
    NDList flat = new NDList(arrays.size());
    for (NDArray a : arrays) {
      NDArray r = a.reshape(-1);
      r.attach(scratch);
      flat.add(r);
    }
    NDArray c = flat.size() == 1 ? flat.get(0).duplicate() : NDArrays.concat(flat);
    c.attach(scratch);
    return c;
  }

  @Override
  public void close() {
    views.close();
    manager.close();
  }
}
