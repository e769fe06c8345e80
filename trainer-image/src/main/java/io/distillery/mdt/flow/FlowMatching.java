package io.distillery.mdt.flow;

import ai.djl.ndarray.NDArray;

/**
 * The TRELLIS flow-matching process (docs/algorithm.md section 1): time runs from 1 (noise) to 0
 * (data), {@code x_t = (1 - t) x0 + (sigma_min + (1 - sigma_min) t) eps} and the velocity is {@code
 * v = (1 - sigma_min) eps - x0}.
 */
public final class FlowMatching {
  public static final double SIGMA_MIN = 1e-5;

  private FlowMatching() {}

  /** {@code x_t} for per-sample times {@code t} of shape {@code (N)}. */
  public static NDArray diffuse(NDArray x0, NDArray eps, NDArray t) {
    NDArray tb = perSample(t, x0);
    NDArray noiseScale = tb.mul(1 - SIGMA_MIN).add(SIGMA_MIN);
    return x0.mul(tb.neg().add(1)).add(eps.mul(noiseScale));
  }

  /** The ground-truth velocity {@code (1 - sigma_min) eps - x0}. */
  public static NDArray velocity(NDArray x0, NDArray eps) {
    return eps.mul(1 - SIGMA_MIN).sub(x0);
  }

  /** One Euler step from {@code t} to {@code tNext < t}: {@code x - (t - tNext) v}. */
  public static NDArray eulerStep(NDArray x, NDArray v, double t, double tNext) {
    return x.sub(v.mul(t - tNext));
  }

  /** Reshapes per-sample values {@code (N)} to broadcast against {@code like (N, ...)}. */
  public static NDArray perSample(NDArray values, NDArray like) {
    long[] shape = new long[like.getShape().dimension()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = like.getShape().get(0);
    return values.reshape(shape);
  }
}
