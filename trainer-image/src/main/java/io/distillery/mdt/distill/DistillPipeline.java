package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.ExitCodes;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.bench.AppearanceComparison;
import io.distillery.mdt.bench.Comparison;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.bench.Contender;
import io.distillery.mdt.bench.Machine;
import io.distillery.mdt.bench.QualityProbe;
import io.distillery.mdt.data.AppearanceBatch;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetIdentity;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.FeatureExtractor;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.progress.ConsoleProgress;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.Lineage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mdt distill} as a function: distill the configured teacher, evaluate the student at each
 * of its step counts against the teacher's own sampler in the same process, apply the gates, and
 * write the result JSON next to the artifact and to the termination-message path (the operator's
 * only channel to the trainer: the pod needs no Kubernetes API rights).
 */
public final class DistillPipeline {
  public static final String RESULT_FILE = "result.json";
  public static final String EVALUATION_DIR = "evaluation";

  private DistillPipeline() {}

  /**
   * @param table the evaluation as a markdown table
   */
  public record Outcome(TrainerResult result, String table, StudentDistillation.Result run) {
    public int exitCode() {
      return result.exitCode;
    }
  }

  /**
   * Where a finished run's outputs go besides output.dir: nowhere ({@link #LOCAL}), or object
   * storage when config {@code output.uri} is set.
   */
  public interface Publisher {
    /** Publishes a finished artifact; returns how the result names it. */
    String artifact(Path dir) throws IOException;

    /** Publishes the result file, after every artifact. */
    void result(Path file) throws IOException;
  }

  /** Outputs stay in output.dir; the result names the artifact by its path. */
  public static final Publisher LOCAL =
      new Publisher() {
        @Override
        public String artifact(Path dir) {
          return dir.toString();
        }

        @Override
        public void result(Path file) {}
      };

  public static Outcome run(
      TrainerConfig cfg, Device device, TrainingMonitor monitor, Map<String, Object> provenance)
      throws IOException {
    return run(cfg, device, monitor, provenance, LOCAL);
  }

  /** The run, its outputs published by {@code publisher} before the result is written. */
  public static Outcome run(
      TrainerConfig cfg,
      Device device,
      TrainingMonitor monitor,
      Map<String, Object> provenance,
      Publisher publisher)
      throws IOException {
    Gates.checkSatisfiable(cfg);
    try (Teacher teacher = Teacher.load(cfg, device)) {
      if (teacher.stage() != TrainerConfig.Stage.APPEARANCE && cfg.dataset.structureModel != null) {
        throw new InvalidConfigException(
            "dataset.structureModel: only an appearance-stage distillation takes its structures"
                + " from a structure model; this teacher is of the "
                + teacher.stage()
                + " stage");
      }
      if (teacher.stage() == TrainerConfig.Stage.APPEARANCE) {
        return distillAppearance(cfg, teacher, device, monitor, provenance, publisher);
      }
      QualityProbe.checkSampleCount(
          cfg.evaluation.samples, teacher.model().numClasses(), "evaluation.samples");
      Gates.checkMeasurable(cfg, teacher.model().sampleShape());
      LoadedDataset train = DatasetLoader.load(cfg, BuiltinShapes.Split.TRAIN);
      LoadedDataset heldOut = DatasetLoader.load(cfg, BuiltinShapes.Split.HELD_OUT);
      // The held-out split is what every distribution figure compares with: it must fit too.
      StudentDistillation.checkDataFitsTeacher(cfg, teacher, heldOut);
      DatasetIdentity dataset = DatasetIdentity.of(cfg);
      try (FeatureExtractor features =
          EvaluationFeatures.open(cfg, teacher.model(), heldOut.batch(), device)) {
        return distill(
            cfg,
            teacher,
            train,
            new QualityProbe(features, heldOut.batch(), cfg.evaluation.samples),
            device,
            monitor,
            dataset,
            provenance,
            publisher);
      }
    }
  }

  private static Outcome distill(
      TrainerConfig cfg,
      Teacher teacher,
      LoadedDataset train,
      QualityProbe quality,
      Device device,
      TrainingMonitor monitor,
      DatasetIdentity dataset,
      Map<String, Object> provenance,
      Publisher publisher)
      throws IOException {
    ComparisonReport[] report = new ComparisonReport[1];
    StudentDistillation.Result run =
        StudentDistillation.run(
            cfg,
            teacher,
            train,
            monitor,
            withLineage(cfg, teacher, dataset, provenance),
            (student, artifact) ->
                report[0] =
                    evaluate(
                        cfg,
                        teacher,
                        student,
                        quality,
                        artifact.path(EVALUATION_DIR + "/report.json").getParent(),
                        device));
    TrainerResult result = result(cfg, run, report[0]);
    Lineage.stamp(result, teacher.digest(), dataset);
    write(cfg, result, publisher);
    return new Outcome(result, report[0].markdownTable(), run);
  }

  /** The appearance stage: the same distillation, judged by {@link AppearanceEvaluation}. */
  private static Outcome distillAppearance(
      TrainerConfig cfg,
      Teacher teacher,
      Device device,
      TrainingMonitor monitor,
      Map<String, Object> provenance,
      Publisher publisher)
      throws IOException {
    Gates.checkMeasurable(cfg, teacher.model().sampleShape());
    LoadedDataset train;
    VoxelBatch heldOut;
    AppearanceBatch truth;
    if (DatasetLoader.hasBuiltinColours(cfg)) {
      train = DatasetLoader.load(cfg, BuiltinShapes.Split.TRAIN);
      truth = AppearanceEvaluation.groundTruth(cfg);
      heldOut = truth.shapes();
    } else {
      // Structures without colours: no ground truth, the teacher's colours are the data.
      AppearanceStructureSource.Splits structures =
          AppearanceStructureSource.load(cfg, teacher, device);
      train = TeacherColours.on(cfg, teacher, structures.train());
      truth = null;
      heldOut = structures.heldOut().occupancy();
    }
    DatasetIdentity dataset = DatasetIdentity.of(cfg);
    AppearanceComparison.Report[] report = new AppearanceComparison.Report[1];
    StudentDistillation.Result run =
        StudentDistillation.run(
            cfg,
            teacher,
            train,
            monitor,
            withLineage(cfg, teacher, dataset, provenance),
            (student, artifact) ->
                report[0] =
                    AppearanceEvaluation.evaluate(
                        cfg,
                        teacher,
                        student,
                        heldOut,
                        truth,
                        artifact
                            .path(EVALUATION_DIR + "/" + AppearanceEvaluation.REPORT)
                            .getParent(),
                        device));
    TrainerResult result = AppearanceEvaluation.result(cfg, run, report[0]);
    Lineage.stamp(result, teacher.digest(), dataset);
    write(cfg, result, publisher);
    return new Outcome(result, report[0].markdownTable(), run);
  }

  /** The run's provenance plus its lineage: the teacher's and the dataset's identity. */
  private static Map<String, Object> withLineage(
      TrainerConfig cfg, Teacher teacher, DatasetIdentity dataset, Map<String, Object> provenance) {
    return Lineage.with(provenance, Lineage.of(cfg, teacher.source(), teacher.digest(), dataset));
  }

  /** Teacher (reference sampler) and the student at each of its step counts, in one process. */
  static ComparisonReport evaluate(
      TrainerConfig cfg,
      Teacher teacher,
      VelocityModel student,
      QualityProbe quality,
      Path outDir,
      Device device)
      throws IOException {
    TrainerConfig.Sampler ts = cfg.teacher.sampler;
    Contender baseline = Contender.teacher(teacher.model(), ts, ts.steps);
    List<Contender> rows = new ArrayList<>();
    rows.add(baseline);
    rows.addAll(
        Contender.student(
            StudentDistillation.methodName(cfg.method),
            student,
            cfg.studentSteps.stream().sorted().distinct().toList()));
    Comparison.Settings settings =
        new Comparison.Settings(
            cfg.evaluation.samples, cfg.evaluation.seed, 64, 5, 2, 0, Machine.describe(device));
    return Comparison.run(
        baseline,
        rows,
        quality,
        settings,
        cfg.hyperparameters.seed,
        outDir,
        ConsoleProgress.forTerminal("evaluate"));
  }

  static TrainerResult result(
      TrainerConfig cfg, StudentDistillation.Result run, ComparisonReport report) {
    TrainerResult r = new TrainerResult();
    r.method = StudentDistillation.methodName(cfg.method);
    r.artifact = run.artifact().toString();
    r.digest = run.digest();
    r.studentSteps = cfg.studentSteps.stream().sorted().distinct().toList();
    ComparisonReport.Row teacherRow = report.rows.get(0);
    r.metrics.put("teacher", metrics(teacherRow));
    for (int steps : r.studentSteps) {
      ComparisonReport.Row row = report.row(r.method, steps);
      r.metrics.put(Integer.toString(steps), metrics(row));
      r.speedup.put(Integer.toString(steps), round(row.speedup));
    }
    r.features = report.features;
    r.gate = Gates.verdict(cfg.evaluation, report, r.method, r.studentSteps);
    // A failed gate fails the job (exit 5) though the student is kept for inspection.
    r.status = r.gate.passed ? "succeeded" : "failed";
    r.exitCode = r.gate.passed ? ExitCodes.OK : ExitCodes.GATE_FAILED;
    r.message =
        r.gate.passed
            ? "student " + r.digest + " distilled with " + r.method
            : "student failed the gate: " + r.gate.reason;
    return r;
  }

  private static TrainerResult.Metrics metrics(ComparisonReport.Row row) {
    TrainerResult.Metrics m = new TrainerResult.Metrics();
    m.fd = rounded(row.fd);
    m.fdToTeacher = rounded(row.fdToTeacher);
    m.classAccuracy = rounded(row.classAccuracy);
    m.pairedError = rounded(row.paired("pairedError"));
    m.pairedMse = rounded(row.paired("pairedMse"));
    m.pairedCosine = rounded(row.paired("pairedCosine"));
    m.pairedIoU = rounded(row.paired("pairedIoU"));
    m.nfe = row.nfe;
    m.latencyMsBatch1 = round(row.latencyMsBatch1);
    m.throughputPerSec = round(row.throughputPerSec);
    return m;
  }

  /**
   * Publishes the artifact, then writes the result (naming the artifact as published) next to it,
   * publishes that, and writes it to the termination-message path, if writable.
   */
  static void write(TrainerConfig cfg, TrainerResult result, Publisher publisher)
      throws IOException {
    result.artifact = publisher.artifact(Path.of(result.artifact));
    String json = result.toJson();
    Path out = Path.of(cfg.output.dir);
    Files.createDirectories(out);
    Path tmp = out.resolve(RESULT_FILE + ".tmp");
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Path file = out.resolve(RESULT_FILE);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    publisher.result(file);
    writeTerminationMessage(cfg.terminationMessagePath, json);
  }

  /** The kubelet reads this file when the container ends; outside a pod it usually is absent. */
  public static void writeTerminationMessage(String path, String json) {
    if (path == null || path.isBlank()) {
      return;
    }
    Path p = Path.of(path);
    if (p.getParent() != null && !Files.isDirectory(p.getParent())) {
      return;
    }
    try {
      Files.writeString(p, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println(
          "note: could not write the termination message to " + p + ": " + e.getMessage());
    }
  }

  private static Double rounded(Double v) {
    return v == null || !Double.isFinite(v) ? null : round(v);
  }

  static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }
}
