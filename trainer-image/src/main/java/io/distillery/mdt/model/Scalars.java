package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplication by a constant that is safe on a gradient path. DJL's {@code NDArray.mul(Number)}
 * (PyTorch engine, CPU) wraps the constant around a Java direct buffer and closes the array at
 * once; autograd keeps the tensor to scale the gradient in backward, but nothing keeps the buffer,
 * so a garbage collection between forward and backward frees the memory the gradient is scaled by
 * (measured: gradients of -8e37 instead of 3, and distillation runs ending in NaN at random steps).
 * Here the constant is a tensor PyTorch allocated itself, which lives as long as autograd needs it.
 * Off the gradient path (no-grad blocks, optimiser updates) DJL's overloads are fine.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code a * factor}, differentiable in {@code a} for as long as autograd keeps the graph. */
  public static NDArray mul(NDArray a, double factor) {
    try (NDArray constant = a.getManager().full(new Shape(), (float) factor, a.getDataType())) {
      return a.mul(constant);
    }
  }
}
