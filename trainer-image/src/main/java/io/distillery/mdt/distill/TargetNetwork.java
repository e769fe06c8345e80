package io.distillery.mdt.distill;

import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;

/**
 * The network of the objectives' no-gradient student passes (the targets): the student itself, or a
 * copy that holds the student's EMA weights, refreshed before every step ({@code
 * hyperparameters.emaTarget}, consistency models' target network: targets that move slowly keep the
 * self-referential objectives from drifting over long runs).
 */
public final class TargetNetwork implements AutoCloseable {
  private final VelocityModel model;
  private final Weights ema;
  private final boolean owned;

  private TargetNetwork(VelocityModel model, Weights ema, boolean owned) {
    this.model = model;
    this.ema = ema;
    this.owned = owned;
  }

  /** The student is its own target. */
  public static TargetNetwork self(VelocityModel student) {
    return new TargetNetwork(student, null, false);
  }

  /** A copy of the student's architecture that follows {@code ema} (updated in place elsewhere). */
  public static TargetNetwork following(VelocityModel copy, Weights ema) {
    return new TargetNetwork(copy, ema, true);
  }

  /** The target for this step: with EMA weights, first brought up to date. */
  public VelocityModel current() {
    if (ema != null) {
      model.weights().copyFrom(ema);
    }
    return model;
  }

  @Override
  public void close() {
    if (owned) {
      model.close();
    }
  }
}
