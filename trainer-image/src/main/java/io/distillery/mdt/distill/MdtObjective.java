package io.distillery.mdt.distill;

import static io.distillery.mdt.distill.Distillable.batched;

import ai.djl.ndarray.NDArray;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.Scalars;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.Cfg;

/**
 * The MDT-dist objective, discrete variant (docs/algorithm.md section 3), for one batch.
 *
 * <ul>
 *   <li><b>Velocity Matching.</b> {@code x_t} from the data; without gradient the guided teacher
 *       velocity {@code v_T}, one teacher Euler step {@code x_prev = x_t - delta v_T}, the
 *       student's {@code u_prev = u(x_prev, t - delta)} and {@code d = (sg(u(x_t, t)) - u_prev) /
 *       delta} (normalised per sample when dNorm); {@code L_VM = mean((u(x_t, t) - (v_T - t
 *       d))^2)}.
 *   <li><b>Velocity Distillation.</b> One-step fake samples {@code x_f = eps_f - u(eps_f, 1)} (with
 *       gradient); without gradient the same construction on {@code x_f} treated as data (same
 *       {@code t} and {@code eps}, teacher CFG {@code w_vd}) gives {@code u_pred} and {@code
 *       target_vd}; {@code L_VD = mean((u_pred - target_vd + u_f - sg(u_f))^2)}, whose only
 *       gradient, {@code 2 (u_pred - target_vd)}, flows into the student through {@code u_f}.
 * </ul>
 *
 * With {@code intervalWeighting} both residuals are weighted per sample by {@link #intervalWeight}.
 *
 * <p>Cost: 4 teacher evaluations (two guided calls, each a batch of cond + null) and 5 student
 * evaluations, 2 with gradient. Both gradient passes run as one batched call, and the three
 * no-gradient student passes as another.
 */
public final class MdtObjective {
  private MdtObjective() {}

  /** The two loss terms (scalars) and their weighted sum. */
  public record Terms(NDArray vm, NDArray vd, NDArray total) {}

  /**
   * @param target the network of the no-gradient student passes: the student itself, or its EMA
   *     copy ({@code emaTarget})
   * @param x0 data batch {@code (N, C, D, H, W)}
   * @param cond class labels {@code (N)}, int64
   * @param eps diffusion noise, shape of x0 (shared by the VM and VD terms)
   * @param epsFake noise the student's one-step fake samples start from, shape of x0
   * @param t times {@code (N)} in {@code [sigma_min + delta, 1]}
   * @param support where the samples live: the networks are bound to it, the noises restricted to
   *     it and the means taken over its voxels only
   */
  public static Terms compute(
      VelocityModel student,
      VelocityModel target,
      VelocityModel teacher,
      NDArray x0,
      NDArray cond,
      NDArray eps,
      NDArray epsFake,
      NDArray t,
      ObjectiveSettings s,
      SampleSupport support) {
    student = support.bind(student);
    target = support.bind(target);
    teacher = support.bind(teacher);
    x0 = support.restrict(x0);
    eps = support.restrict(eps);
    epsFake = support.restrict(epsFake);
    NDArray t1000 = t.mul(1000);
    NDArray tPrev1000 = t.sub(s.delta()).mul(1000);
    NDArray one1000 = t.onesLike().mul(1000);

    NDArray xt;
    NDArray vTeacher;
    NDArray xPrev;
    try (NoGrad ignored = NoGrad.enter()) {
      xt = FlowMatching.diffuse(x0, eps, t);
      vTeacher = Cfg.velocity(teacher, xt, t1000, cond, s.cfgVM());
      xPrev = xt.sub(vTeacher.mul(s.delta()));
    }

    // With gradient: u_f = u(eps_f, 1) and u(x_t, t), one batched call.
    NDArray[] withGrad =
        batched(student, true, new NDArray[] {epsFake, xt}, new NDArray[] {one1000, t1000}, cond);
    NDArray uFake = withGrad[0];
    NDArray uAtT = withGrad[1];

    NDArray targetVM;
    NDArray uPred;
    NDArray targetVD;
    try (NoGrad ignored = NoGrad.enter()) {
      NDArray xFake = epsFake.sub(uFake).stopGradient();
      NDArray xtFake = FlowMatching.diffuse(xFake, eps, t);
      NDArray vTeacherFake = Cfg.velocity(teacher, xtFake, t1000, cond, s.cfgVD());
      NDArray xPrevFake = xtFake.sub(vTeacherFake.mul(s.delta()));
      NDArray[] noGrad =
          batched(
              target,
              false,
              new NDArray[] {xPrev, xPrevFake, xtFake},
              new NDArray[] {tPrev1000, tPrev1000, t1000},
              cond);
      NDArray uPrev = noGrad[0];
      NDArray uPrevFake = noGrad[1];
      uPred = noGrad[2];
      NDArray d =
          VelocityMatching.finiteDifference(uAtT.stopGradient(), uPrev, s.delta(), s.dNorm());
      targetVM = VelocityMatching.target(vTeacher, t, d);
      NDArray dFake = VelocityMatching.finiteDifference(uPred, uPrevFake, s.delta(), s.dNorm());
      targetVD = VelocityMatching.target(vTeacherFake, t, dFake);
    }

    NDArray weight = s.intervalWeighting() ? intervalWeight(t, s.delta(), uAtT) : null;
    NDArray lossVM = support.mean(weighted(uAtT.sub(targetVM).square(), weight));
    NDArray push = weighted(uPred.sub(targetVD), weight); // constant
    NDArray lossVD = support.mean(push.add(uFake.sub(uFake.stopGradient())).square());
    NDArray total = Scalars.mul(lossVM, s.lambdaVM()).add(Scalars.mul(lossVD, s.lambdaVD()));
    return new Terms(lossVM, lossVD, total);
  }

  /**
   * {@code delta / (t + delta)} per sample. Without dNorm the VM residual is {@code u - v_T + (t /
   * delta)(u - u_prev) = (1 + t / delta)(u - u*)} with the fixed point {@code u* = (delta v_T + t
   * u_prev) / (t + delta)}, so its gradient is up to 1 / delta (here 100) times a regression onto
   * {@code u*}; this weight takes the factor out (docs/algorithm.md section 3).
   */
  static NDArray intervalWeight(NDArray t, double delta, NDArray like) {
    return FlowMatching.perSample(t.add(delta).pow(-1).mul(delta), like);
  }

  private static NDArray weighted(NDArray x, NDArray weight) {
    return weight == null ? x : x.mul(weight);
  }
}
