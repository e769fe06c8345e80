package io.distillery.mdt.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns autograd recording off for a scope, also inside a {@code GradientCollector}: teacher calls
 * and target computations then build no graph and hold no activations for backward.
 *
 * <pre>{@code
 * try (NoGrad ng = NoGrad.enter()) { target = teacher.velocity(...); }
 * }</pre>
 */
public final class NoGrad implements AutoCloseable {
  private final boolean previous;

  private NoGrad(boolean previous) {
    this.previous = previous;
  }

  public static NoGrad enter() {
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    return new NoGrad(previous);
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
