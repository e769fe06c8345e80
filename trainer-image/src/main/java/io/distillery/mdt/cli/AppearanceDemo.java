package io.distillery.mdt.cli;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.distill.DistillPipeline;
import io.distillery.mdt.model.PipelineCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.progress.ConsoleProgress;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.sampling.SampleShapes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's second stage (docs/algorithm.md section 9): distill the shipped appearance teacher
 * with MDT, chain the structure stage's 1-step MDT student and this student into a pipeline, and
 * sample it in colour, one shape per class. The end-to-end speedup is the sum of the stages'
 * batch-1 latencies measured in the two evaluations: teacher 25 steps (structure guided) x 2
 * against student 1 step x 2.
 */
final class AppearanceDemo {
  private AppearanceDemo() {}

  /**
   * The second stage's budget: batch 16 (200 steps, {@code --appearance-steps}, take a few minutes
   * on 2 cores) and 64 held-out structures. Its students are weaker than {@code mdt bench}'s (400
   * steps at batch 24, 3 seeds).
   */
  static final Map<String, String> BUDGET =
      Map.of(
          "hyperparameters.batchSize", "16",
          "evaluation.samples", "64",
          "progressPort", "0");

  record Outcome(Path student, Path pipeline, Path samples, String table, double chainSpeedup) {}

  static Outcome run(
      Path out,
      Path structureStudent,
      ComparisonReport structure,
      int structureTeacherSteps,
      String device,
      int steps,
      Device dev,
      Map<String, Object> provenance)
      throws IOException {
    TrainerConfig cfg =
        TrainerConfigs.validated(
            TrainerConfigs.load(
                null,
                BUDGET,
                Map.of(
                    "stage",
                    "appearance",
                    "output.dir",
                    out.resolve("appearance").toString(),
                    "device",
                    device,
                    "hyperparameters.maxSteps",
                    Integer.toString(steps),
                    "terminationMessagePath",
                    out.resolve("appearance/termination.json").toString())));
    DistillPipeline.Outcome distilled;
    try (TrainingMonitor monitor = ConsoleProgress.forTerminal("distill appearance mdt")) {
      distilled = DistillPipeline.run(cfg, dev, monitor, provenance);
    }
    Path student = distilled.run().artifact();
    Path pipeline = out.resolve("pipeline");
    Pipelines.write(pipeline, structureStudent, student, PipelineCard.DEFAULT_THRESHOLD);
    Path samples = out.resolve("pipeline-samples");
    SampleShapes.run(
        new SampleShapes.Request(
            pipeline, List.of(), 1, cfg.evaluation.seed, 1, null, null, samples, dev, 1, null));
    Map<String, TrainerResult.Metrics> m = distilled.result().metrics;
    double teacher =
        structure.row("teacher", structureTeacherSteps).latencyMsBatch1
            + m.get("teacher").latencyMsBatch1;
    double student1 = structure.row("mdt", 1).latencyMsBatch1 + m.get("1").latencyMsBatch1;
    return new Outcome(student, pipeline, samples, distilled.table(), teacher / student1);
  }

  static void print(PrintWriter w, Outcome o, double minutesStructure, double minutesAppearance) {
    w.println();
    w.println("Second stage: colours on the occupied voxels (the shipped appearance teacher, MDT)");
    w.println();
    w.println(o.table());
    w.printf(
        Locale.ROOT,
        "End to end, teacher 25 steps x 2 against MDT 1 step x 2 at batch 1: %.1fx faster.%n"
            + "Appearance student: %s%nPipeline (structure student + appearance student): %s%n"
            + "Coloured shapes, one per class (PLY, OBJ + MTL, GLB, %s): %s%n"
            + "Time: structure stage %.1f min, appearance stage and pipeline %.1f min.%n",
        o.chainSpeedup(),
        o.student(),
        o.pipeline(),
        SampleShapes.SHEET,
        o.samples(),
        minutesStructure,
        minutesAppearance);
  }
}
