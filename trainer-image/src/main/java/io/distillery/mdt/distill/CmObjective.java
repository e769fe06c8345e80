package io.distillery.mdt.distill;

import static io.distillery.mdt.flow.FlowMatching.perSample;

import ai.djl.ndarray.NDArray;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.Cfg;

/**
 * Consistency distillation, the baseline MDT-dist is compared with (docs/algorithm.md section 4).
 * The trajectory from t = 1 to 0 is split into {@code multiphase} equal segments; the target time
 * of {@code t} is the end of its segment towards the data, {@code t_tgt = floor(t M) / M} (0 for
 * one phase). The student predicts {@code x_t - (t - t_tgt) u(x_t, t)} and is pulled towards its
 * own no-gradient prediction one teacher Euler step earlier: {@code x_prev - (t - delta - t_tgt)
 * u(x_prev, t - delta)} with {@code x_prev = x_t - delta v_T}. Same time schedule, teacher CFG
 * ({@code cfgVM}), delta and target network ({@code emaTarget}) as MDT, so the comparison is fair.
 */
public final class CmObjective {
  private CmObjective() {}

  /** {@code floor(t M) / M} per sample, as float32 {@code (N)}. */
  public static float[] targetTimes(float[] t, int multiphase) {
    float[] out = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      // A time exactly on a boundary belongs to the segment below it (t = 1 maps to (M-1)/M).
      double k = Math.ceil(t[i] * multiphase) - 1;
      out[i] = (float) (Math.max(0, k) / multiphase);
    }
    return out;
  }

  /** The CM loss (scalar), a mean over the voxels of {@code support} (see {@link MdtObjective}). */
  public static NDArray compute(
      VelocityModel student,
      VelocityModel targetNetwork,
      VelocityModel teacher,
      NDArray x0,
      NDArray cond,
      NDArray eps,
      NDArray t,
      ObjectiveSettings s,
      SampleSupport support) {
    NDArray tTarget = t.getManager().create(targetTimes(t.toFloatArray(), s.multiphase()));
    return compute(student, targetNetwork, teacher, x0, cond, eps, t, tTarget, s, support);
  }

  /**
   * As above with the target times {@code tTarget} ({@link #targetTimes} of {@code t}) given, so
   * that a caller holding {@code t} on the host saves a copy from the device.
   */
  public static NDArray compute(
      VelocityModel student,
      VelocityModel targetNetwork,
      VelocityModel teacher,
      NDArray x0,
      NDArray cond,
      NDArray eps,
      NDArray t,
      NDArray tTarget,
      ObjectiveSettings s,
      SampleSupport support) {
    student = support.bind(student);
    targetNetwork = support.bind(targetNetwork);
    teacher = support.bind(teacher);
    x0 = support.restrict(x0);
    eps = support.restrict(eps);
    NDArray t1000 = t.mul(1000);
    NDArray tPrev = t.sub(s.delta());
    NDArray xt;
    NDArray target;
    try (NoGrad ignored = NoGrad.enter()) {
      xt = FlowMatching.diffuse(x0, eps, t);
      NDArray vTeacher = Cfg.velocity(teacher, xt, t1000, cond, s.cfgVM());
      NDArray xPrev = xt.sub(vTeacher.mul(s.delta()));
      NDArray uPrev = targetNetwork.velocity(xPrev, tPrev.mul(1000), cond, false);
      target = xPrev.sub(uPrev.mul(perSample(tPrev.sub(tTarget), uPrev)));
    }
    NDArray u = student.velocity(xt, t1000, cond, true);
    NDArray pred = xt.sub(u.mul(perSample(t.sub(tTarget), u)));
    return support.mean(pred.sub(target).square());
  }
}
