package io.distillery.mdt.distill;

import ai.djl.ndarray.types.Shape;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.bench.ComparisonReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The quality and speed gate, at every student step count: {@code FD_student / FD_teacher <=
 * maxFdRatio} (FD to the held-out data on the evaluation features), mean paired error to the
 * teacher's samples {@code <= maxPairedError}, mean paired IoU {@code >= minPairedIoU} (occupancy
 * grids), and {@code speedup >= minSpeedup} (batch-1 latency ratio over the teacher's reference
 * sampler, measured in the same run). An unset gate passes.
 */
public final class Gates {
  private Gates() {}

  /**
   * Rejects a gate on a figure this teacher's samples do not have, once the teacher is loaded and
   * before any training: IoU needs occupancy grids (one channel).
   */
  public static void checkMeasurable(TrainerConfig cfg, Shape sampleShape) {
    if (cfg.stage == TrainerConfig.Stage.APPEARANCE && cfg.evaluation.maxFdRatio != null) {
      throw new InvalidConfigException(
          "evaluation.maxFdRatio: the appearance stage is judged against its ground truth and the"
              + " teacher's samples, not by FD; gate on maxPairedError instead");
    }
    long channels = sampleShape.get(0);
    if (cfg.evaluation.minPairedIoU != null && channels != 1) {
      throw new InvalidConfigException(
          "evaluation.minPairedIoU: IoU needs occupancy grids (1 channel), but this teacher's"
              + " samples have "
              + channels
              + " channels; gate on maxPairedError or maxFdRatio instead");
    }
  }

  /** Rejects gates that no student can meet, before any training time is spent. */
  public static void checkSatisfiable(TrainerConfig cfg) {
    Double fd = cfg.evaluation.maxFdRatio;
    Double speed = cfg.evaluation.minSpeedup;
    if (fd != null && !(fd > 0)) {
      throw new InvalidConfigException("evaluation.maxFdRatio must be above 0, got " + fd);
    }
    if (speed != null && !(speed > 0)) {
      throw new InvalidConfigException("evaluation.minSpeedup must be above 0, got " + speed);
    }
    if (speed != null) {
      // A student needs at least one network evaluation per step; the guided teacher two.
      int teacherNfe = cfg.teacher.sampler.steps * (cfg.teacher.sampler.cfgStrength == 0 ? 1 : 2);
      int fewest = cfg.studentSteps.stream().mapToInt(Integer::intValue).max().orElse(1);
      double bound = (double) teacherNfe / fewest;
      if (speed > bound * 1.5) {
        throw new InvalidConfigException(
            String.format(
                Locale.ROOT,
                "evaluation.minSpeedup %.1f cannot be met: a %d-step student against a %d-evaluation"
                    + " teacher can be at most about %.1fx faster",
                speed,
                fewest,
                teacherNfe,
                bound));
      }
    }
  }

  /** What the gates look at for one student step count; null where a figure was not measured. */
  record StepFigures(Double fdRatio, double speedup, Double pairedError, Double pairedIoU) {}

  static TrainerResult.Gate verdict(
      TrainerConfig.Evaluation e, ComparisonReport report, String method, List<Integer> steps) {
    Double teacherFd = report.rows.get(0).fd;
    List<StepFigures> figures = new ArrayList<>();
    for (int s : steps) {
      ComparisonReport.Row row = report.row(method, s);
      figures.add(
          new StepFigures(
              teacherFd == null ? null : row.fd / teacherFd,
              row.speedup,
              row.paired("pairedError"),
              row.paired("pairedIoU")));
    }
    return verdict(e, figures);
  }

  /** The verdict on the worst step count of each figure. */
  static TrainerResult.Gate verdict(TrainerConfig.Evaluation e, List<StepFigures> steps) {
    TrainerResult.Gate g = new TrainerResult.Gate();
    g.maxFdRatio = e.maxFdRatio;
    g.minSpeedup = e.minSpeedup;
    g.maxPairedError = e.maxPairedError;
    g.minPairedIoU = e.minPairedIoU;
    Double worstRatio = null;
    double slowest = Double.POSITIVE_INFINITY;
    Double worstError = null;
    Double worstIoU = null;
    for (StepFigures f : steps) {
      if (f.fdRatio() != null && (worstRatio == null || f.fdRatio() > worstRatio)) {
        worstRatio = f.fdRatio();
      }
      slowest = Math.min(slowest, f.speedup());
      if (f.pairedError() != null && (worstError == null || f.pairedError() > worstError)) {
        worstError = f.pairedError();
      }
      if (f.pairedIoU() != null && (worstIoU == null || f.pairedIoU() < worstIoU)) {
        worstIoU = f.pairedIoU();
      }
    }
    g.fdRatio = worstRatio == null ? null : DistillPipeline.round(worstRatio);
    g.speedup = DistillPipeline.round(slowest);
    g.pairedError = worstError == null ? null : DistillPipeline.round(worstError);
    g.pairedIoU = worstIoU == null ? null : DistillPipeline.round(worstIoU);
    List<String> reasons = new ArrayList<>();
    if (e.maxFdRatio != null && worstRatio == null) {
      reasons.add("maxFdRatio: FD was not measured");
    } else if (e.maxFdRatio != null && worstRatio > e.maxFdRatio) {
      reasons.add(
          String.format(Locale.ROOT, "FD ratio %.3g > maxFdRatio %.3g", worstRatio, e.maxFdRatio));
    }
    if (e.maxPairedError != null && (worstError == null || worstError > e.maxPairedError)) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "paired error %.3g > maxPairedError %.3g",
              worstError == null ? Double.NaN : worstError,
              e.maxPairedError));
    }
    if (e.minPairedIoU != null && (worstIoU == null || worstIoU < e.minPairedIoU)) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "paired IoU %.3g < minPairedIoU %.3g",
              worstIoU == null ? Double.NaN : worstIoU,
              e.minPairedIoU));
    }
    if (e.minSpeedup != null && slowest < e.minSpeedup) {
      reasons.add(
          String.format(Locale.ROOT, "speedup %.3gx < minSpeedup %.3gx", slowest, e.minSpeedup));
    }
    g.passed = reasons.isEmpty();
    g.reason = g.passed ? null : String.join("; ", reasons);
    return g;
  }
}
