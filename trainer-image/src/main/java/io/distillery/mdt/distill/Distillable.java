package io.distillery.mdt.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.distillery.mdt.model.VelocityModel;

/** Small helpers shared by the MDT and CM objectives. */
final class Distillable {
  private Distillable() {}

  /** Concatenates along the batch axis. */
  static NDArray cat(NDArray... arrays) {
    return NDArrays.concat(new NDList(arrays));
  }

  /** Splits a batch of {@code parts * n} rows into {@code parts} arrays of {@code n} rows. */
  static NDArray[] split(NDArray a, int parts) {
    long n = a.getShape().get(0) / parts;
    NDArray[] out = new NDArray[parts];
    for (int i = 0; i < parts; i++) {
      out[i] = a.get((i * n) + ":" + ((i + 1) * n));
    }
    return out;
  }

  /**
   * Several inputs through one network in a single batched call (fewer, larger matrix products:
   * much faster on CPUs), returning one output per input.
   */
  static NDArray[] batched(
      VelocityModel model, boolean training, NDArray[] xs, NDArray[] t1000s, NDArray cond) {
    NDArray[] conds = new NDArray[xs.length];
    java.util.Arrays.fill(conds, cond);
    NDArray v = model.velocity(cat(xs), cat(t1000s), cat(conds), training);
    return split(v, xs.length);
  }
}
