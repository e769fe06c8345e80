package io.distillery.mdt.distill;

import ai.djl.ndarray.NDManager;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.train.LossHistory;
import io.distillery.mdt.train.Shard;
import io.distillery.mdt.train.TrainingDivergedException;
import io.distillery.mdt.train.TrainingLoop;
import java.util.List;
import java.util.Map;

/**
 * Stops a distillation whose watched loss rises for good (docs/algorithm.md section 8: a rising VD
 * loss is the first sign of divergence). The loss is averaged over consecutive windows; when a
 * window's mean exceeds {@code ratio} times the best window mean so far, the run stops with {@link
 * TrainingDivergedException} (exit code DIVERGED) before any student is written. NaN and infinite
 * losses are caught by {@link TrainingLoop} itself. The policy is to stop, not to roll back: a
 * rollback at a lower learning rate would hide a bad setting from the user, whose job then fails
 * with a message saying which setting to lower.
 *
 * <p>It watches a loss that is trained ({@link #watchedLoss}): a term with weight 0 is still
 * computed and logged, but nothing keeps it down, so its rise says nothing about the run.
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
   * The logged loss to watch for {@code method} with the given MDT weights: {@code cm} for CM; for
   * MDT {@code vd} (its rise is the first sign of divergence, docs/algorithm.md section 8) unless
   * VD is not trained ({@code lambdaVD = 0}, the {@code mdt-vm} ablation), then {@code vm}. With
   * {@code lambdaVM = 0} (the {@code mdt-vd} ablation) VD is the trained term, so {@code vd} as
   * well.
   */
  public static String watchedLoss(TrainerConfig.Method method, double lambdaVM, double lambdaVD) {
    if (method != TrainerConfig.Method.MDT) {
      return "cm";
    }
    return lambdaVD == 0 && lambdaVM > 0 ? "vm" : "vd";
  }

  /**
   * @param watched name of the logged loss to watch ({@link #watchedLoss})
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

  /**
   * What to lower besides the learning rate: the VD weight when VD is watched (it weighs VD against
   * VM). A lone trained term has no such setting: AdamW's steps do not depend on the loss's scale.
   */
  private String otherSetting() {
    return "vd".equals(watched) ? " or hyperparameters.lambdaVD" : "";
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    return inner.compute(scope, step);
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step, Shard shard) {
    return inner.compute(scope, step, shard);
  }

  /**
   * Judges the step's watched loss as summed over the data-parallel replicas (the loop calls this
   * before the optimiser steps), so any replica count stops at the same step.
   */
  @Override
  public void observe(long step, Map<String, Double> logged) {
    inner.observe(step, logged);
    Double value = logged.get(watched);
    if (value != null) {
      observe(step + 1, value);
    }
  }

  /**
   * Feeds the watched losses of the steps a resumed run has already taken (its checkpoint's
   * history), so that it judges exactly as the uninterrupted run would: the same windows and the
   * same best mean. Without them a run restarted after every few windows (a preempted pod) would
   * never see a rise against the earlier best. No replayed value throws: the uninterrupted run
   * stopped before logging the step that did.
   */
  DivergenceWatchdog replay(LossHistory history) {
    List<Double> values = history.values.get(watched);
    if (values != null) {
      for (int i = 0; i < values.size(); i++) {
        observe(history.steps.get(i), values.get(i));
      }
    }
    return this;
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
                  + " (now %.3g)%s and start again",
              step, watched, window, mean, mean / best, best, learningRate, otherSetting()));
    }
    best = Math.min(best, mean);
  }
}
