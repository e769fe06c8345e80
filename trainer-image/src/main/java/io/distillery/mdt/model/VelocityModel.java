package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A flow network called as {@code v(x, 1000 t, cond)} (docs/algorithm.md section 1). Implemented by
 * the built-in {@link FlowTransformer} and by {@link TorchScriptTeacher}.
 *
 * <p>It is a plain function of its inputs and its {@link #weights()}: call it inside a {@code
 * GradientCollector} to get gradients on the weights, or inside {@link NoGrad} to evaluate without
 * recording. Results live in the manager of {@code x}, so a per-step sub-manager frees them.
 */
public interface VelocityModel extends AutoCloseable {

  /**
   * The velocity at {@code x}.
   *
   * @param x float32 {@code (N, C, D, H, W)}
   * @param tTimes1000 float32 {@code (N)}: the flow time t in [0, 1] times 1000
   * @param cond int64 {@code (N)}: class index in {@code [0, numClasses]}, where {@code numClasses}
   *     is the null ("no condition") class used for classifier-free guidance
   * @param training whether the call is part of a training step (dropout and the like, if any)
   * @return float32 with the shape of {@code x}
   */
  NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training);

  /**
   * Features of {@code x} for the distribution figures when no classifier knows the data ({@code
   * builtin:teacher}, trainer-image/EVALUATION.md): here the velocity at {@code x}, average-pooled
   * per channel over the eight octants of the grid, with each channel's standard deviation, {@code
   * (N, 9 C)}: a module that exposes only its forward pass offers nothing deeper. The built-in
   * transformer overrides it with its middle block's activations.
   */
  default NDArray features(NDArray x, NDArray tTimes1000, NDArray cond) {
    NDArray v = velocity(x, tTimes1000, cond, false);
    long n = v.getShape().get(0);
    long c = v.getShape().get(1);
    long r = v.getShape().get(2);
    long h = Math.max(1, r / 2);
    NDArray octants =
        v.reshape(n, c, r / h, h, r / h, h, r / h, h)
            .mean(new int[] {7})
            .mean(new int[] {5})
            .mean(new int[] {3})
            .reshape(n, -1);
    NDArray spread = v.reshape(n, c, -1);
    NDArray std = spread.sub(spread.mean(new int[] {2}, true)).square().mean(new int[] {2}).sqrt();
    return octants.concat(std, 1);
  }

  /** The trainable tensors, updated in place by optimizers, EMA and checkpoint restore. */
  Weights weights();

  /** Number of real classes; also the index of the null class. */
  int numClasses();

  /** Shape of one sample, {@code (C, D, H, W)}. */
  Shape sampleShape();

  Device device();

  /** The null-class index, for CFG. */
  default int nullClass() {
    return numClasses();
  }

  @Override
  void close();
}
