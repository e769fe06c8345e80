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
