package io.distillery.mdt.distill;

import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.bench.ComparisonReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The quality and speed gate: every student step count must keep {@code FD_student / FD_teacher <=
 * maxFdRatio} and reach {@code speedup >= minSpeedup} (batch-1 latency ratio over the teacher's
 * reference sampler, measured in the same run). An unset gate passes.
 */
public final class Gates {
  private Gates() {}

  /**
   * FD and class accuracy need the shipped classifier, which knows the built-in 16^3 shapes; other
   * data (user latents, other resolutions) is evaluated for speed only.
   */
  public static boolean qualityMeasurable(TrainerConfig cfg) {
    return io.distillery.mdt.data.DatasetLoader.BUILTIN_SHAPES.equals(cfg.dataset.uri)
        && cfg.dataset.resolution == 16;
  }

  /** Rejects gates that no student can meet, before any training time is spent. */
  public static void checkSatisfiable(TrainerConfig cfg) {
    Double fd = cfg.evaluation.maxFdRatio;
    if (fd != null && !qualityMeasurable(cfg)) {
      throw new InvalidConfigException(
          "evaluation.maxFdRatio needs FD, which is measured only on the built-in 16^3 shapes"
              + " (dataset.uri builtin:shapes); drop the gate or use minSpeedup for this dataset");
    }
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

  static TrainerResult.Gate verdict(
      TrainerConfig.Evaluation e, ComparisonReport report, String method, List<Integer> steps) {
    TrainerResult.Gate g = new TrainerResult.Gate();
    g.maxFdRatio = e.maxFdRatio;
    g.minSpeedup = e.minSpeedup;
    Double teacherFd = report.rows.get(0).fd;
    double worstRatio = 0;
    double slowest = Double.POSITIVE_INFINITY;
    for (int s : steps) {
      ComparisonReport.Row row = report.row(method, s);
      if (teacherFd != null) {
        worstRatio = Math.max(worstRatio, row.fd / teacherFd);
      }
      slowest = Math.min(slowest, row.speedup);
    }
    g.fdRatio = teacherFd == null ? null : DistillPipeline.round(worstRatio);
    g.speedup = DistillPipeline.round(slowest);
    List<String> reasons = new ArrayList<>();
    if (e.maxFdRatio != null && worstRatio > e.maxFdRatio) {
      reasons.add(
          String.format(Locale.ROOT, "FD ratio %.3g > maxFdRatio %.3g", worstRatio, e.maxFdRatio));
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
