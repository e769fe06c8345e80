package io.distillery.mdt.cli;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.distill.DistillationBenchmark;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.report.HtmlReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt demo}: the README's main command. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Distill the shipped teacher to a 1-2 step student with MDT-dist, and with consistency"
          + " distillation (CM) for comparison, on the built-in 16^3 shapes; evaluate the teacher"
          + " at 25, 2 and 1 steps, CM at 1 and 2 and MDT at 1 and 2 on the same seeds; print the"
          + " table and say where the meshes, previews and report.json are. Then the second"
          + " stage: distill the shipped appearance teacher with MDT, chain both 1-step students"
          + " into a pipeline and sample it in colour (--no-appearance skips it).",
      "Defaults are the demo budget (fits about 15 minutes on 2 CPU cores; 256 evaluation"
          + " samples per model and evaluation seed); every config field can be changed with"
          + " --config/--set."
    })
public final class DemoCommand implements Callable<Integer> {
  /**
   * The demo's budget, used when no --config is given (--set still applies): 600 steps at batch 16
   * with the config's distillation defaults, the recipe of the re-tuning sweep in BENCHMARKS.md;
   * 256 samples per model and evaluation seed, which with the default 2 evaluation seeds give class
   * accuracy 512 samples (+-4.3 points at worst, +-2.6 at 90% accuracy: {@link #accuracyInterval}).
   */
  static final Map<String, String> DEMO_DEFAULTS =
      Map.of(
          "hyperparameters.maxSteps", "600",
          "hyperparameters.batchSize", "16",
          "evaluation.samples", "256",
          "progressPort", "0");

  /**
   * What class accuracy's 95% interval is from sampling alone over {@code samples} x {@code
   * evalSeeds} samples (EVALUATION.md: 1.96 sqrt(p (1 - p) / n), widest at p = 0.5), in one
   * sentence.
   */
  static String accuracyInterval(int samples, int evalSeeds) {
    int n = samples * evalSeeds;
    return String.format(
        Locale.ROOT,
        "Class accuracy over %d samples x %d evaluation seed(s) = %d: 95%% interval from sampling"
            + " +-%.1f points at worst (accuracy 50%%), +-%.1f at 90%% accuracy; +-4 at worst"
            + " needs %d samples (EVALUATION.md).%n",
        samples,
        evalSeeds,
        n,
        halfWidthPoints(0.5, n),
        halfWidthPoints(0.9, n),
        (int) Math.ceil(0.25 * (1.96 / 0.04) * (1.96 / 0.04)));
  }

  private static double halfWidthPoints(double p, int n) {
    return 100 * 1.96 * Math.sqrt(p * (1 - p) / n);
  }

  @Mixin ConfigOptions options;

  @Option(
      names = "--demo-out",
      paramLabel = "DIR",
      defaultValue = "demo-out",
      description =
          "Where students, report.html, report.json, report.md, samples.png and meshes go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--seeds",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Training seeds per student (default: ${DEFAULT-VALUE}, to fit the demo's budget; mdt"
              + " bench uses 3, and with one seed the intervals leave out seed-to-seed variation).")
  int seeds;

  @Option(
      names = "--eval-seeds",
      paramLabel = "M",
      defaultValue = "2",
      description = "Evaluation seeds per model (default: ${DEFAULT-VALUE}).")
  int evalSeeds;

  @Option(
      names = "--ablation",
      defaultValue = "false",
      description =
          "Also distill MDT with VM alone (mdt-vm) and VD alone (mdt-vd), as mdt bench does"
              + " (default: off).")
  boolean ablation;

  @Option(
      names = "--appearance",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Also distill the shipped appearance teacher (the second stage: colours on the occupied"
              + " voxels) with MDT, chain both 1-step students into a pipeline and sample it in"
              + " colour (default: on; --no-appearance skips it).")
  boolean appearance;

  @Option(
      names = "--appearance-steps",
      paramLabel = "N",
      defaultValue = "200",
      description = "Distillation steps of the appearance student (default: ${DEFAULT-VALUE}).")
  int appearanceSteps;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var opts =
        new DistillationBenchmark.Options(
            seeds, evalSeeds, ablation, io.distillery.mdt.bench.Bootstrap.DEFAULT_REPLICATES);
    TrainerConfig cfg = options.load(DEMO_DEFAULTS);
    var device = Devices.resolve(cfg.device);
    Map<String, Object> provenance = Provenance.of(spec, device);
    long start = System.nanoTime();
    DistillationBenchmark.Outcome o = DistillationBenchmark.run(cfg, device, out, provenance, opts);
    double structureMinutes = (System.nanoTime() - start) / 60e9;
    Path html = HtmlReport.write(out, o.report(), "Distillery demo", Provenance.commandLine(spec));
    PrintWriter w = spec.commandLine().getOut();
    w.println();
    w.println(o.report().markdownTable());
    w.printf(
        "Students: %s%nReport: %s (open in a browser; also report.json, report.md)%nSide-by-side previews: %s%nMeshes (PLY, OBJ): %s%nLoss curves: %s%n",
        o.students(),
        html,
        out.resolve("samples.png"),
        out.resolve("meshes"),
        out.resolve("loss-mdt.png") + ", " + out.resolve("loss-cm.png"));
    w.println();
    if (seeds < 3) {
      w.printf(
          "The demo distilled each student with %d training seed(s); mdt bench uses 3.%n", seeds);
    }
    w.print(accuracyInterval(cfg.evaluation.samples, evalSeeds));
    w.print(o.report().verdictText());
    w.flush();
    if (appearance) {
      long second = System.nanoTime();
      AppearanceDemo.Outcome a =
          AppearanceDemo.run(
              out,
              o.students().get("mdt"),
              o.report(),
              cfg.teacher.sampler.steps,
              cfg.device,
              appearanceSteps,
              device,
              provenance);
      AppearanceDemo.print(w, a, structureMinutes, (System.nanoTime() - second) / 60e9);
      w.flush();
    }
    return 0;
  }
}
