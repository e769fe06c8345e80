package io.distillery.mdt.bench;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.distill.StudentDistillation;
import io.distillery.mdt.distill.Teacher;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.progress.ConsoleProgress;
import io.distillery.mdt.progress.TrainingMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The full comparison of DESIGN.md section 6 in one process: distill the teacher with MDT-dist and
 * with the CM baseline (same budget, seeds and settings), then compare the teacher at its reference
 * step count, 2 and 1 steps, CM at 1 and 2 and MDT at 1 and 2 on the same seeds and machine. {@code
 * mdt demo} and {@code mdt bench} both run it; bench also rewrites BENCHMARKS.md.
 */
public final class DistillationBenchmark {
  /**
   * Least seconds each speed measurement runs: the few-millisecond latencies of 1-2 step models
   * need many runs for a median that one hiccup of a shared machine cannot move.
   */
  static final double SPEED_SECONDS = 2.0;

  private DistillationBenchmark() {}

  public record Outcome(ComparisonReport report, Path outDir, Map<String, Path> students) {}

  /**
   * @param cfg the distillation config (teacher, dataset, hyperparameters, evaluation); its {@code
   *     method} is ignored: both methods run
   */
  public static Outcome run(
      TrainerConfig cfg, Device device, Path outDir, Map<String, Object> provenance)
      throws IOException {
    Files.createDirectories(outDir);
    java.util.LinkedHashMap<String, Path> students = new java.util.LinkedHashMap<>();
    try (Teacher teacher = Teacher.load(cfg, device)) {
      LoadedDataset train = DatasetLoader.load(cfg.dataset, BuiltinShapes.Split.TRAIN);
      for (TrainerConfig.Method method :
          List.of(TrainerConfig.Method.MDT, TrainerConfig.Method.CM)) {
        TrainerConfig c = copyWith(cfg, method, outDir);
        String name = StudentDistillation.methodName(method);
        try (TrainingMonitor monitor = ConsoleProgress.forTerminal("distill " + name)) {
          StudentDistillation.Result r =
              StudentDistillation.run(
                  c, teacher, train, monitor, provenance, StudentDistillation.Evaluator.none());
          students.put(name, r.artifact());
          Files.copy(
              r.artifact().resolve(StudentDistillation.LOSS_PLOT),
              outDir.resolve("loss-" + name + ".png"),
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (ModelArtifacts.Loaded mdt = ModelArtifacts.load(students.get("mdt"), device);
          ModelArtifacts.Loaded cm = ModelArtifacts.load(students.get("cm"), device);
          ShapeClassifier classifier = ShapeClassifier.loadShipped()) {
        TrainerConfig.Sampler ts = cfg.teacher.sampler;
        Contender baseline = Contender.teacher(teacher.model(), ts, ts.steps);
        List<Contender> rows = new ArrayList<>();
        rows.add(baseline);
        rows.add(Contender.teacher(teacher.model(), ts, 2));
        rows.add(Contender.teacher(teacher.model(), ts, 1));
        rows.addAll(Contender.student("cm", cm.model(), List.of(1, 2)));
        rows.addAll(Contender.student("mdt", mdt.model(), List.of(1, 2)));
        LoadedDataset heldOut = DatasetLoader.load(cfg.dataset, BuiltinShapes.Split.HELD_OUT);
        QualityProbe quality =
            new QualityProbe(classifier, heldOut.batch(), cfg.evaluation.samples);
        Comparison.Settings settings =
            new Comparison.Settings(
                cfg.evaluation.samples,
                cfg.evaluation.seed,
                64,
                7,
                2,
                SPEED_SECONDS,
                Machine.describe(device));
        try (TrainingMonitor monitor = ConsoleProgress.forTerminal("evaluate")) {
          ComparisonReport report =
              Comparison.run(baseline, rows, quality, settings, outDir, monitor);
          return new Outcome(report, outDir, students);
        }
      }
    }
  }

  /** The config for one method, writing under {@code outDir} (checkpoints resume per method). */
  private static TrainerConfig copyWith(
      TrainerConfig cfg, TrainerConfig.Method method, Path outDir) {
    TrainerConfig c =
        io.distillery.config.TrainerConfigs.parse(
            io.distillery.config.TrainerConfigs.toYaml(cfg), "config");
    c.method = method;
    c.output.dir = outDir.toString();
    return c;
  }
}
