package io.distillery.mdt.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.flow.TimeGrid;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.VelocityModel;

/**
 * Euler sampler from noise at t = 1 to data at t = 0 over {@link TimeGrid}, with optional CFG. Runs
 * without autograd; intermediate tensors are freed every step.
 */
public final class EulerSampler {
  private EulerSampler() {}

  /**
   * Samples from {@code noise} (float32 {@code (N, C, D, H, W)}) for classes {@code cond} (int64
   * {@code (N)}). The result lives in the manager of {@code noise}.
   */
  public static NDArray sample(
      VelocityModel model, NDArray noise, NDArray cond, SamplerSettings settings) {
    double[] grid = TimeGrid.of(settings.steps(), settings.rescaleT());
    NDManager out = noise.getManager();
    NDArray x = noise;
    try (NoGrad ignored = NoGrad.enter()) {
      for (int i = 0; i < settings.steps(); i++) {
        try (NDManager step = out.newSubManager()) {
          NDArray xi = x;
          // Everything derived from xi and cond lands in this step's manager and is freed with it;
          // the caller's noise and cond go back to their own manager.
          if (xi == noise) {
            xi.tempAttach(step);
          } else {
            xi.attach(step);
          }
          cond.tempAttach(step);
          long n = xi.getShape().get(0);
          NDArray t1000 = step.full(new ai.djl.ndarray.types.Shape(n), (float) (1000 * grid[i]));
          NDArray v = Cfg.velocity(model, xi, t1000, cond, settings.cfgStrength());
          NDArray next = FlowMatching.eulerStep(xi, v, grid[i], grid[i + 1]);
          next.attach(out);
          x = next;
        }
      }
    }
    return x;
  }

  /**
   * A distilled student's sampler (guidance baked in, no CFG, linear grid): 1 step is {@code x0 =
   * eps - u(eps, 1)}, 2 steps go through t = 0.5.
   */
  public static NDArray sampleStudent(
      VelocityModel student, NDArray noise, NDArray cond, int steps) {
    return sample(student, noise, cond, SamplerSettings.student(steps));
  }
}
