package io.distillery.mdt.distill;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.bench.AppearanceComparison;
import io.distillery.mdt.bench.Contender;
import io.distillery.mdt.bench.Machine;
import io.distillery.mdt.data.AppearanceBatch;
import io.distillery.mdt.data.BuiltinAppearance;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.VelocityModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The evaluation after an appearance-stage distillation (docs/algorithm.md section 9): the teacher
 * at its reference sampler and the student at each of its step counts sample colours on the same
 * held-out structures, conditions and seeds ({@link AppearanceComparison}); the report goes into
 * the student's artifact and the gates ({@code maxPairedError}, {@code minSpeedup}) into the
 * result. The built-in shapes bring procedural colours, so {@code appearanceError} too; structures
 * from a dataset or a structure model have none, and it is left out.
 */
final class AppearanceEvaluation {
  static final String REPORT = "report.json";
  static final String TABLE = "report.md";

  private AppearanceEvaluation() {}

  /** The held-out ground truth of config {@code evaluation.samples} built-in structures. */
  static AppearanceBatch groundTruth(TrainerConfig cfg) {
    return BuiltinAppearance.generate(
        cfg.dataset.resolution,
        cfg.evaluation.samples,
        cfg.dataset.seed,
        BuiltinShapes.Split.HELD_OUT);
  }

  static AppearanceComparison.Report evaluate(
      TrainerConfig cfg,
      Teacher teacher,
      VelocityModel student,
      VoxelBatch structures,
      AppearanceBatch truth,
      Path outDir,
      Device device)
      throws IOException {
    TrainerConfig.Sampler ts = cfg.teacher.sampler;
    Contender baseline = Contender.teacher(teacher.model(), ts, ts.steps);
    List<Contender> rows =
        new ArrayList<>(
            Contender.student(
                StudentDistillation.methodName(cfg.method),
                student,
                cfg.studentSteps.stream().sorted().distinct().toList()));
    AppearanceComparison.Report report =
        AppearanceComparison.run(
            baseline,
            rows,
            structures,
            truth,
            new AppearanceComparison.Settings(
                cfg.evaluation.samples, List.of(cfg.evaluation.seed), 1000, 5));
    Files.createDirectories(outDir);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(
            outDir.resolve(REPORT).toFile(),
            Map.of("machine", Machine.describe(device), "rows", report.rows()));
    Files.writeString(outDir.resolve(TABLE), report.markdownTable());
    return report;
  }

  static TrainerResult result(
      TrainerConfig cfg, StudentDistillation.Result run, AppearanceComparison.Report report) {
    TrainerResult r = new TrainerResult();
    r.method = StudentDistillation.methodName(cfg.method);
    r.artifact = run.artifact().toString();
    r.digest = run.digest();
    r.studentSteps = cfg.studentSteps.stream().sorted().distinct().toList();
    r.metrics.put("teacher", metrics(report.rows().get(0)));
    List<Gates.StepFigures> figures = new ArrayList<>();
    for (int steps : r.studentSteps) {
      AppearanceComparison.Row row = report.row(Contender.name(r.method, steps));
      r.metrics.put(Integer.toString(steps), metrics(row));
      r.speedup.put(Integer.toString(steps), DistillPipeline.round(row.speedup()));
      figures.add(new Gates.StepFigures(null, row.speedup(), row.pairedError().mean(), null));
    }
    r.gate = Gates.verdict(cfg.evaluation, figures);
    r.status = r.gate.passed ? "succeeded" : "failed";
    r.exitCode = r.gate.passed ? ExitCodes.OK : ExitCodes.GATE_FAILED;
    r.message =
        r.gate.passed
            ? "appearance student " + r.digest + " distilled with " + r.method
            : "student failed the gate: " + r.gate.reason;
    return r;
  }

  private static TrainerResult.Metrics metrics(AppearanceComparison.Row row) {
    TrainerResult.Metrics m = new TrainerResult.Metrics();
    // No ground truth (structures without colours): the field stays absent.
    m.appearanceError = row.error() == null ? null : DistillPipeline.round(row.error().mean());
    m.pairedError = DistillPipeline.round(row.pairedError().mean());
    m.nfe = row.nfe();
    m.latencyMsBatch1 = DistillPipeline.round(row.latencyMsBatch1());
    m.throughputPerSec = DistillPipeline.round(row.throughputPerSec());
    return m;
  }
}
