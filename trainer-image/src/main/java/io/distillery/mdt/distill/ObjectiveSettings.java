package io.distillery.mdt.distill;

import io.distillery.config.TrainerConfig;

/**
 * Settings of the distillation objectives (docs/algorithm.md sections 3 and 4).
 *
 * @param delta the interval: size of the teacher's Euler step and shift of the time schedule
 * @param cfgVM teacher CFG strength inside the VM term (and the CM target)
 * @param cfgVD teacher CFG strength inside the VD term
 * @param lambdaVM weight of the VM loss
 * @param lambdaVD weight of the VD loss
 * @param dNorm normalise the finite-difference du/dt per sample
 * @param intervalWeighting weight each sample's VM and VD residual by {@code delta / (t + delta)}
 * @param tMean mean of the logit-normal time schedule
 * @param tStd std of the logit-normal time schedule
 * @param multiphase CM only: number of equal trajectory segments
 */
public record ObjectiveSettings(
    double delta,
    double cfgVM,
    double cfgVD,
    double lambdaVM,
    double lambdaVD,
    boolean dNorm,
    boolean intervalWeighting,
    double tMean,
    double tStd,
    int multiphase) {

  public static ObjectiveSettings from(TrainerConfig.Hyperparameters h) {
    return new ObjectiveSettings(
        h.interval,
        h.cfgTeacherVM,
        h.cfgTeacherVD,
        h.lambdaVM,
        h.lambdaVD,
        h.dNorm,
        h.intervalWeighting,
        h.tSchedule.mean,
        h.tSchedule.std,
        h.multiphase);
  }
}
