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

  static TrainerResult.Gate verdict(
      TrainerConfig.Evaluation e, ComparisonReport report, String method, List<Integer> steps) {
    TrainerResult.Gate g = new TrainerResult.Gate();
    g.maxFdRatio = e.maxFdRatio;
    g.minSpeedup = e.minSpeedup;
    double teacherFd = report.rows.get(0).fd;
    double worstRatio = 0;
    double slowest = Double.POSITIVE_INFINITY;
    for (int s : steps) {
      ComparisonReport.Row row = report.row(method, s);
      worstRatio = Math.max(worstRatio, row.fd / teacherFd);
      slowest = Math.min(slowest, row.speedup);
    }
    g.fdRatio = DistillPipeline.round(worstRatio);
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
