package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.distill.DistillationBenchmark;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo's own models (its budget: 600 steps at batch 16, one training seed, 256 samples on each
 * of 2 evaluation seeds) rank the way every figure should agree on: the 1-step MDT student before
 * the 1-step CM student on FD and class accuracy (the shipped classifier) and on every paired
 * figure against the teacher's samples, which need no classifier. The slowest test of the module
 * (about 7 minutes on 2 cores): it trains both students as `mdt demo` does.
 */
class DemoRankingTest {

  @Test
  void theMdtStudentRanksBeforeTheCmStudentAtOneStepOnEveryFigure(@TempDir Path dir)
      throws Exception {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs();
    TrainerConfig cfg = demo.options.load(DemoCommand.DEMO_DEFAULTS);
    ComparisonReport report =
        DistillationBenchmark.run(
                cfg,
                Device.cpu(),
                dir,
                Map.of(),
                // Intervals and speed are not what this test checks: few replicates, no timing.
                new DistillationBenchmark.Options(1, 2, false, 20, 0))
            .report();
    ComparisonReport.Row mdt = report.row("mdt", 1);
    ComparisonReport.Row cm = report.row("cm", 1);
    lower(mdt, cm, "FD", r -> r.fd);
    higher(mdt, cm, "class accuracy", r -> r.classAccuracy);
    lower(mdt, cm, "paired error", r -> r.paired("pairedError"));
    lower(mdt, cm, "paired MSE", r -> r.paired("pairedMse"));
    higher(mdt, cm, "paired cosine", r -> r.paired("pairedCosine"));
    higher(mdt, cm, "paired IoU", r -> r.paired("pairedIoU"));
    lower(mdt, cm, "FD to the teacher's samples", r -> r.fdToTeacher);
  }

  private static void lower(
      ComparisonReport.Row mdt,
      ComparisonReport.Row cm,
      String figure,
      Function<ComparisonReport.Row, Double> f) {
    ranksFirst(mdt, cm, figure + " (lower is better)", f, -1);
  }

  private static void higher(
      ComparisonReport.Row mdt,
      ComparisonReport.Row cm,
      String figure,
      Function<ComparisonReport.Row, Double> f) {
    ranksFirst(mdt, cm, figure + " (higher is better)", f, 1);
  }

  private static void ranksFirst(
      ComparisonReport.Row mdt,
      ComparisonReport.Row cm,
      String figure,
      Function<ComparisonReport.Row, Double> f,
      int better) {
    double a = f.apply(mdt);
    double b = f.apply(cm);
    assertThat(Math.signum(a - b))
        .as("%s: mdt 1 step %s, cm 1 step %s", figure, a, b)
        .isEqualTo((double) better);
  }
}
