package io.distillery.mdt.train;

/**
 * Dynamic loss scaling for float16 training (Micikevicius et al., "Mixed Precision Training"): the
 * loss is multiplied by {@code scale} before backward so that small gradients survive float16, and
 * the gradients are divided by it again in float32. A step whose gradients overflowed is skipped
 * and the scale halved; after {@link #GROWTH_INTERVAL} good steps in a row it doubles. The
 * constants are PyTorch's {@code GradScaler} defaults. Checkpointed with the loop, so a resumed run
 * scales as the uninterrupted one would.
 */
public final class LossScale {
  static final double INITIAL = 65536;
  static final int GROWTH_INTERVAL = 2000;

  /** What a checkpoint keeps. */
  public record State(double scale, int goodSteps) {}

  private double scale = INITIAL;
  private int goodSteps;

  public double scale() {
    return scale;
  }

  /**
   * Takes the verdict on one step's gradients and says whether the optimiser may step.
   *
   * @throws TrainingDivergedException when gradients overflow float16 even unscaled
   */
  boolean update(boolean finite, long step) {
    if (finite) {
      if (++goodSteps >= GROWTH_INTERVAL) {
        scale *= 2;
        goodSteps = 0;
      }
      return true;
    }
    if (scale <= 1) {
      throw new TrainingDivergedException(
          step,
          "training diverged at step "
              + step
              + ": float16 gradients overflow even at loss scale 1; no artifact was written (train"
              + " with hyperparameters.precision fp32 or a lower learning rate)");
    }
    scale /= 2;
    goodSteps = 0;
    return false;
  }

  State state() {
    return new State(scale, goodSteps);
  }

  void restore(State s) {
    scale = s.scale();
    goodSteps = s.goodSteps();
  }
}
