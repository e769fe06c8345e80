package io.distillery.mdt.distill;

import ai.djl.ndarray.NDManager;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;

/**
 * Stops a distillation whose watched loss rises for good (MDT-DIST.md section 8: a rising VD loss
 * is the first sign of divergence). The loss is averaged over consecutive windows; when a window's
 * mean exceeds {@code ratio} times the best window mean so far, the run stops with {@link
 * TrainingDivergedException} (exit code DIVERGED) before any student is written. NaN and infinite
 * losses are caught by {@link TrainingLoop} itself. The policy is to stop, not to roll back: a
 * rollback at a lower learning rate would hide a bad setting from the user, whose job then fails
 * with a message saying which setting to lower.
 */
public final class DivergenceWatchdog implements TrainingLoop.StepLoss {
  private final TrainingLoop.StepLoss inner;
  private final String watched;
  private final int window;
  private final double ratio;
  private final double learningRate;
  private double sum;
  private int count;
  private double best = Double.POSITIVE_INFINITY;

  /**
   * @param watched name of the logged loss to watch ({@code vd} for MDT, {@code cm} for CM)
   * @param window steps per averaging window
   * @param ratio how many times the best window mean counts as diverged
   */
  public DivergenceWatchdog(
      TrainingLoop.StepLoss inner, String watched, int window, double ratio, double learningRate) {
    this.inner = inner;
    this.watched = watched;
    this.window = window;
    this.ratio = ratio;
    this.learningRate = learningRate;
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    TrainingLoop.StepLosses losses = inner.compute(scope, step);
    var value = losses.logged().get(watched);
    if (value != null) {
      observe(step + 1, value.getFloat());
    }
    return losses;
  }

  /** Feeds one value; throws when the run has diverged. */
  void observe(long step, double value) {
    sum += value;
    count++;
    if (count < window) {
      return;
    }
    double mean = sum / count;
    sum = 0;
    count = 0;
    if (mean > ratio * best) {
      throw new TrainingDivergedException(
          step,
          String.format(
              "distillation diverged at step %d: the mean %s loss of the last %d steps is %.4g,"
                  + " %.1f times its best window mean %.4g; lower hyperparameters.learningRate"
                  + " (now %.3g) or hyperparameters.lambdaVD and start again",
              step, watched, window, mean, mean / best, best, learningRate));
    }
    best = Math.min(best, mean);
  }
}
