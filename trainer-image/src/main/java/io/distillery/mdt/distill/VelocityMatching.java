package io.distillery.mdt.distill;

import ai.djl.ndarray.NDArray;
import io.distillery.mdt.flow.FlowMatching;

/**
 * The target of Velocity Matching (docs/algorithm.md section 3, step 2). From the identity {@code u
 * = v_T - t du/dt} along the teacher's trajectory: {@code d = (u(x_t, t) - u(x_prev, t - delta)) /
 * delta} is a finite-difference {@code du/dt}, optionally normalised per sample, and the target is
 * {@code v_T - t d}. All inputs are treated as constants (callers pass arrays without gradient).
 */
public final class VelocityMatching {
  /** The constant added to the per-sample norm by {@code d_norm}. */
  public static final double D_NORM_EPS = 0.1;

  private VelocityMatching() {}

  /** {@code (uAtT - uAtPrev) / delta}, normalised per sample when {@code dNorm}. */
  public static NDArray finiteDifference(
      NDArray uAtT, NDArray uAtPrev, double delta, boolean dNorm) {
    NDArray d = uAtT.sub(uAtPrev).div(delta);
    return dNorm ? normalisePerSample(d) : d;
  }

  /** {@code d / (||d|| + 0.1)} with the L2 norm over all non-batch dimensions of each sample. */
  public static NDArray normalisePerSample(NDArray d) {
    long n = d.getShape().get(0);
    NDArray norm = d.reshape(n, -1).square().sum(new int[] {1}).sqrt();
    return d.div(FlowMatching.perSample(norm.add(D_NORM_EPS), d));
  }

  /** {@code v_T - t d} with per-sample times {@code t} of shape {@code (N)}. */
  public static NDArray target(NDArray teacherVelocity, NDArray t, NDArray d) {
    return teacherVelocity.sub(d.mul(FlowMatching.perSample(t, d)));
  }
}
