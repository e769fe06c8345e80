package io.distillery.mdt.cli;

import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.bench.Estimate;
import io.distillery.mdt.bench.ModelEvaluation;
import io.distillery.mdt.bench.PipelineEvaluation;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.model.Pipelines;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt evaluate}: parse, evaluate one model, print the row and where the report is. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate one model artifact against the held-out split of config `dataset` on --samples"
          + " shapes for each of --eval-seeds evaluation seeds: FD on the classifier's features"
          + " (with the FD between two held-out halves as the floor), class accuracy, precision /"
          + " recall / density / coverage and MMD / COV / 1-NNA on the classifier's features, each"
          + " the mean over the evaluation seeds with a 95%% bootstrap interval over every seed's"
          + " samples, per-class accuracy over every seed's samples with a 95%% Wilson interval,"
          + " each seed's FD and class accuracy, network"
          + " evaluations per sample, latency at batch 1 and throughput at batch 32. Writes"
          + " report.json and report.md to --out.",
      "A two-stage pipeline (mdt pipeline) runs as mdt sample runs it: its thresholded"
          + " structures get the figures above; the appearance stage adds the off-palette error"
          + " (distance to the nearest colour the built-in appearance gives the class; built-in"
          + " classes only), the count of empty structures, and the speed of the chain and of"
          + " each stage. An appearance model alone is refused."
    })
public final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      defaultValue = "out/teacher",
      description = "Model artifact directory (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Trainer config for `dataset` and `evaluation` (default: built-in defaults).")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a config field by dotted path, e.g. --set evaluation.samples=64 (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--samples",
      paramLabel = "N",
      description =
          "Generated samples, at least the number of classes (config evaluation.samples; default"
              + " without --config: "
              + SAMPLES
              + ", which keeps class accuracy's 95%% interval within about +-4 points).")
  Integer samples;

  /** 1.96 * sqrt(0.25 / 512) = 4.3 points at worst (p = 0.5), 2.6 points at p = 0.9. */
  static final String SAMPLES = "512";

  @Option(
      names = "--eval-seeds",
      paramLabel = "M",
      defaultValue = "1",
      description =
          "Evaluation seeds, at least 1: evaluation.seed and the next M-1, 1000000 apart as in"
              + " mdt bench, each with --samples shapes; the figures are means over the seeds,"
              + " their intervals cover every seed's samples (default: ${DEFAULT-VALUE}).")
  int evalSeeds;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Sampler steps, at least 1 (default: the model's; for a pipeline, the structure"
              + " stage's).")
  Integer steps;

  @Option(
      names = "--cfg",
      paramLabel = "W",
      description = "CFG strength (default: the model's; for a pipeline, the structure stage's).")
  Double cfg;

  @Option(
      names = "--appearance-steps",
      paramLabel = "N",
      description = "A pipeline's appearance stage: sampler steps (default: its model.json's).")
  Integer appearanceSteps;

  @Option(
      names = "--appearance-cfg",
      paramLabel = "W",
      description = "A pipeline's appearance stage: CFG strength (default: its model.json's).")
  Double appearanceCfg;

  @Option(
      names = "--rescale-t",
      paramLabel = "R",
      description = "Time-grid rescale (default: the model's).")
  Double rescaleT;

  @Option(
      names = "--classifier",
      paramLabel = "DIR",
      description = "Classifier artifact for FD and accuracy (default: the shipped classifier-16).")
  Path classifier;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "eval",
      description = "Where report.json and report.md go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      defaultValue = "auto",
      description = "Compute device (default: ${DEFAULT-VALUE}).")
  String device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (evalSeeds < 1) {
      throw new InvalidConfigException("--eval-seeds: must be at least 1, got " + evalSeeds);
    }
    TrainerConfig base = config == null ? new TrainerConfig() : TrainerConfigs.read(config);
    if (config == null) {
      // The command's defaults: 512 samples against 512 held-out shapes, floor from 2 x 512.
      base =
          TrainerConfigs.withOverrides(
              base, Map.of("evaluation.samples", SAMPLES, "dataset.heldOutSamples", "1024"));
    }
    Map<String, String> all = new LinkedHashMap<>(overrides);
    if (samples != null) all.put("evaluation.samples", samples.toString());
    TrainerConfig c =
        TrainerConfigs.validated(all.isEmpty() ? base : TrainerConfigs.withOverrides(base, all));
    ModelEvaluation.Report r =
        ModelEvaluation.run(
            new ModelEvaluation.Request(
                model,
                c,
                steps,
                cfg,
                rescaleT,
                classifier,
                out,
                Devices.resolve(device),
                evalSeeds,
                appearanceSteps,
                appearanceCfg));
    PrintWriter w = spec.commandLine().getOut();
    ModelEvaluation.Row row = r.rows().get(0);
    if (r.pipeline() != null) {
      w.printf(
          "pipeline %s (digest %s), thresholded structures of the structure stage:%n  ",
          model, r.pipeline().digest());
    }
    w.printf(
        "%s, %d steps, cfg %.2f, %d samples x %d evaluation seeds: FD %s (floor %.2f), class"
            + " accuracy %s, precision %s, recall %s, 1-NNA %s (means over the seeds, 95%%"
            + " intervals over the samples), %d NFE, %.1f ms at batch 1, %.2f shapes/s at batch"
            + " 32%n",
        row.method(),
        row.steps(),
        row.cfgStrength(),
        r.samples(),
        r.evalSeeds().size(),
        row.ci().get("fd").format("%.2f"),
        r.reference().get("fdRefVsRef"),
        row.ci().get("classAccuracy").format("%.3f"),
        row.ci().get("precision").format("%.3f"),
        row.ci().get("recall").format("%.3f"),
        row.ci().get("nna").format("%.3f"),
        row.nfe(),
        row.latencyMsBatch1(),
        row.throughputPerSec());
    w.println("  per-class accuracy over every seed's samples (95% Wilson intervals):");
    for (Map.Entry<String, Estimate> e : row.perClassAccuracy().entrySet()) {
      w.printf(
          "    %-10s %s over %d samples%n",
          e.getKey(), e.getValue().format("%.3f"), r.classSamples().get(e.getKey()));
    }
    if (row.perSeed().size() > 1) {
      for (ModelEvaluation.SeedResult sr : row.perSeed()) {
        w.printf(
            "  evaluation seed %d: FD %.2f, class accuracy %.3f (%d samples)%n",
            sr.seed(), sr.fd(), sr.classAccuracy(), sr.samples());
      }
    }
    if (r.pipeline() != null) {
      printPipeline(w, r.pipeline());
    }
    w.printf("  report in %s%n", r.dir());
    w.flush();
    return 0;
  }

  private static void printPipeline(PrintWriter w, PipelineEvaluation.Figures f) {
    PipelineEvaluation.Stage st = f.stages().get(Pipelines.STRUCTURE);
    PipelineEvaluation.Stage ap = f.stages().get(Pipelines.APPEARANCE);
    w.printf(
        "  pipeline: off-palette error %s, %d of %d structures empty (no appearance); chain %d"
            + " NFE, %.1f ms at batch 1, %.2f shapes/s at batch 32 (structure %.1f ms, %.2f/s;"
            + " appearance %d steps, cfg %.2f: %.1f ms, %.2f/s)%n",
        f.offPaletteError() == null
            ? "not computed (" + f.offPaletteNote() + ")"
            : f.offPaletteError().format("%.4f"),
        f.emptyStructures(),
        f.shapes(),
        f.nfe(),
        f.latencyMsBatch1(),
        f.throughputPerSec(),
        st.latencyMsBatch1(),
        st.throughputPerSec(),
        ap.steps(),
        ap.cfgStrength(),
        ap.latencyMsBatch1(),
        ap.throughputPerSec());
  }
}
