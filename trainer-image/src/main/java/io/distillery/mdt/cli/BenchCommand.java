package io.distillery.mdt.cli;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.BenchmarksFile;
import io.distillery.mdt.bench.DistillationBenchmark;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.report.HtmlReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt bench}: the full comparison, written into BENCHMARKS.md. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Run the full comparison of the benchmark protocol (teacher at 25, 2 and 1 steps; CM at 1"
          + " and 2; MDT at 1 and 2; same seeds, machine and process) with the configured budget"
          + " (config hyperparameters: built-in 600 steps at batch 24), and rewrite the"
          + " distillation section of --benchmarks with the table, machine, date and command."
    })
public final class BenchCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(
      names = "--bench-out",
      paramLabel = "DIR",
      defaultValue = "bench-out",
      description = "Working directory for students and reports (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--benchmarks",
      paramLabel = "FILE",
      defaultValue = "BENCHMARKS.md",
      description = "The benchmarks file to update (default: ${DEFAULT-VALUE}).")
  Path benchmarks;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainerConfig cfg = options.load(Map.of("progressPort", "0"));
    var device = Devices.resolve(cfg.device);
    String command = Provenance.commandLine(spec);
    Map<String, Object> provenance = Provenance.of(spec, device);
    DistillationBenchmark.Outcome o = DistillationBenchmark.run(cfg, device, out, provenance);
    HtmlReport.write(out, o.report(), "Distillery benchmark", command);
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    String body =
        "## Distillation: teacher vs CM vs MDT (`mdt bench`)\n\n"
            + "Machine: "
            + o.report().machine
            + "  \nDate: "
            + o.report().date
            + "  \nCommand: `"
            + command
            + "`  \nBudget per method: "
            + h.maxSteps
            + " steps at batch "
            + h.batchSize
            + ", lr "
            + h.learningRate
            + ", teacher CFG "
            + cfg.teacher.sampler.cfgStrength
            + " (reference sampler), "
            + h.cfgTeacherVM
            + " (VM) / "
            + h.cfgTeacherVD
            + " (VD); "
            + o.report().samples
            + " samples per model, seed "
            + o.report().seed
            + ".\n\n"
            + o.report().markdownTable();
    BenchmarksFile.replaceSection(benchmarks, "distillation", body);
    PrintWriter w = spec.commandLine().getOut();
    w.println(o.report().markdownTable());
    w.println("Updated " + benchmarks + "; reports in " + out);
    w.flush();
    return 0;
  }
}
