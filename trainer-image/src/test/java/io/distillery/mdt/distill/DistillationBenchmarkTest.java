package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.bench.Bootstrap;
import io.distillery.mdt.bench.Claim;
import io.distillery.mdt.bench.Comparison;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.bench.Estimate;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.serve.TinyModels;
import io.distillery.mdt.train.TrainingDivergedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark over several training and evaluation seeds on a tiny teacher (2 distillation steps
 * per student): every row with its mean and interval, per-class accuracy, the ablation rows, the
 * claims with verdicts, and the verdict text.
 */
class DistillationBenchmarkTest {
  @TempDir Path dir;

  @Test
  void everyRowHasIntervalsAndTheClaimsAreJudgedOverSeeds() throws Exception {
    TrainerConfig cfg = tinyConfig();
    Path out = dir.resolve("bench");
    DistillationBenchmark.Outcome o =
        DistillationBenchmark.run(
            cfg,
            Device.cpu(),
            out,
            Map.of(),
            new DistillationBenchmark.Options(2, 2, true, 200, 0));
    ComparisonReport r = o.report();
    assertThat(r.trainingSeeds).containsExactly(42L, 43L);
    assertThat(r.evalSeeds).containsExactly(1234L, 1234L + Comparison.EVAL_SEED_STRIDE);
    assertThat(r.rows)
        .extracting(ComparisonReport.Row::name)
        .containsExactly(
            "teacher 3",
            "teacher 2",
            "teacher 1",
            "cm 1",
            "cm 2",
            "mdt 1",
            "mdt 2",
            "mdt-vm 1",
            "mdt-vm 2",
            "mdt-vd 1",
            "mdt-vd 2");
    for (ComparisonReport.Row row : r.rows) {
      assertThat(row.ci.keySet()).containsExactlyElementsOf(Bootstrap.METRICS);
      Estimate fd = row.ci.get("fd");
      assertThat(fd.mean()).isEqualTo(row.fd);
      assertThat(fd.hi()).isGreaterThanOrEqualTo(fd.lo());
      Estimate acc = row.ci.get("classAccuracy");
      assertThat(acc.lo()).isLessThanOrEqualTo(acc.hi());
      assertThat(row.perClassAccuracy.keySet())
          .containsExactlyElementsOf(BuiltinShapes.CLASS_NAMES);
      assertThat(row.trainingSeeds).isEqualTo(row.method.equals("teacher") ? null : 2);
    }
    assertThat(r.claims).hasSize(6);
    for (Claim c : r.claims) {
      assertThat(c.verdict).isIn(Claim.MET, Claim.NOT_MET, Claim.NOT_SEPARATED);
      assertThat(c.estimate).isNotNull();
    }
    assertThat(r.verdictText())
        .contains("MDT 1 step FD below CM 1 step", "2 training seed(s) x 2 evaluation seed(s)");
    assertThat(o.students().keySet())
        .containsAll(Set.of("mdt", "cm", "mdt-vm", "mdt-vd", "mdt-seed43", "cm-seed43"));
    assertThat(out.resolve("loss-mdt.png")).exists();
    ComparisonReport read = ComparisonReport.readJson(out.resolve("report.json"));
    assertThat(read.claims).hasSize(6);
    assertThat(read.rows.get(5).ci.get("fd").lo()).isEqualTo(r.rows.get(5).ci.get("fd").lo());
    assertThat(Files.readString(out.resolve("report.md")))
        .contains("Claims", "Class accuracy per class", "| mdt-vd | 2 |");
    assertThat(out.resolve("samples.png")).exists();
    assertThat(r.note).isNull();
    List<String> classes = r.classNames;
    assertThat(classes).isEqualTo(BuiltinShapes.CLASS_NAMES);
  }

  @Test
  void aBaselineThatDivergesIsAResultNotAFailure() throws Exception {
    Path out = dir.resolve("bench-diverged");
    DistillationBenchmark.Outcome o =
        DistillationBenchmark.run(
            tinyConfig(),
            Device.cpu(),
            out,
            Map.of(),
            new DistillationBenchmark.Options(1, 1, false, 50, 0),
            (c, teacher, train, monitor, provenance) -> {
              if (c.method == TrainerConfig.Method.CM) {
                throw new TrainingDivergedException(7, "cm loss rose 7x");
              }
              return StudentDistillation.run(
                  c, teacher, train, monitor, provenance, StudentDistillation.Evaluator.none());
            });
    ComparisonReport r = o.report();
    assertThat(r.rows)
        .extracting(ComparisonReport.Row::name)
        .containsExactly("teacher 3", "teacher 2", "teacher 1", "mdt 1", "mdt 2");
    assertThat(r.note).contains("No model: cm 1 training diverged with seed 42");
    Claim vsCm = r.claims.get(0);
    assertThat(vsCm.text).isEqualTo("MDT 1 step FD below CM 1 step");
    assertThat(vsCm.verdict).isEqualTo(Claim.NOT_EVALUATED);
    assertThat(vsCm.why).isEqualTo("no cm 1 row: training diverged with seed 42");
    assertThat(r.claims.subList(1, 6))
        .allSatisfy(c -> assertThat(c.verdict).isNotEqualTo(Claim.NOT_EVALUATED));
    assertThat(r.verdictText())
        .contains("n/a (no cm 1 row: training diverged with seed 42)", ", 1 not evaluated.");
    assertThat(o.students().keySet()).containsExactly("mdt");
    assertThat(Files.readString(out.resolve("report.md"))).contains("training diverged");
  }

  private TrainerConfig tinyConfig() throws Exception {
    Path teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
    return TrainerConfigs.validated(
        TrainerConfigs.withOverrides(
            new TrainerConfig(),
            Map.of(
                "teacher.uri", teacher.toString(),
                "teacher.sampler.steps", "3",
                "hyperparameters.maxSteps", "2",
                "hyperparameters.batchSize", "4",
                "dataset.trainSamples", "16",
                "dataset.heldOutSamples", "32",
                "evaluation.samples", "16",
                "progressPort", "0")));
  }
}
