package io.distillery.mdt.cli;

import io.distillery.mdt.model.Devices;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.sampling.SampleShapes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mdt sample}: parse, sample, say where the meshes and the sheet are. */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Sample shapes from a model artifact (a teacher or a student) with the Euler sampler and"
          + " write each as PLY, OBJ and GLB (voxel surface) plus a PNG contact sheet (sheet.png),"
          + " into a directory with a manifest that appears only when complete.",
      "A two-stage pipeline (mdt pipeline) samples the structure, then its colours on it, and"
          + " writes coloured meshes; an appearance model alone is refused.",
      "Shape j uses the noise of seed (--seed + j)."
    })
public final class SampleCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      defaultValue = "out/teacher",
      description = "Model artifact directory (default: ${DEFAULT-VALUE}).")
  Path model;

  @Option(
      names = "--classes",
      paramLabel = "NAME|INDEX",
      split = ",",
      description = "Classes to sample, by name or index, comma-separated (default: every class).")
  List<String> classes = new ArrayList<>();

  @Option(
      names = "--per-class",
      paramLabel = "N",
      defaultValue = "1",
      description = "Shapes per class (default: ${DEFAULT-VALUE}).")
  int perClass;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "Seed of the first shape's noise (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Euler steps, at least 1 (default: the model's, from its model.json); for a pipeline,"
              + " the structure stage's.")
  Integer steps;

  @Option(
      names = "--cfg",
      paramLabel = "W",
      description =
          "CFG strength w, 0 for none (default: the model's; 0 for a distilled student); for a"
              + " pipeline, the structure stage's.")
  Double cfg;

  @Option(
      names = "--appearance-steps",
      paramLabel = "N",
      description = "A pipeline's appearance stage: Euler steps (default: its model.json's).")
  Integer appearanceSteps;

  @Option(
      names = "--appearance-cfg",
      paramLabel = "W",
      description = "A pipeline's appearance stage: CFG strength w (default: its model.json's).")
  Double appearanceCfg;

  @Option(
      names = "--rescale-t",
      paramLabel = "R",
      description =
          "Time-grid rescale r > 0 (default: the model's; for a pipeline, applies to the"
              + " structure stage).")
  Double rescaleT;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "samples",
      description =
          "Output directory: new, empty, or an earlier mdt sample output, which is replaced;"
              + " anything else is refused (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      defaultValue = "auto",
      description =
          "Compute device; auto takes a GPU when DJL finds one (default: ${DEFAULT-VALUE}).")
  String device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    refuseUnsafeOut();
    SampleShapes.Result r =
        SampleShapes.run(
            new SampleShapes.Request(
                model,
                classes,
                perClass,
                seed,
                steps,
                cfg,
                rescaleT,
                out,
                Devices.resolve(device),
                appearanceSteps,
                appearanceCfg));
    PrintWriter w = spec.commandLine().getOut();
    if (r.appearanceSampler() != null) {
      w.printf(
          "%d shapes (structure: %d steps, cfg %s; appearance: %d steps, cfg %s; %d network"
              + " evaluations each) in %.2f s%n  %d empty structures got no appearance%n"
              + "  coloured meshes and %s in %s%n  digest %s%n",
          r.shapes().size(),
          r.sampler().steps(),
          r.sampler().cfgStrength(),
          r.appearanceSampler().steps(),
          r.appearanceSampler().cfgStrength(),
          r.nfePerShape(),
          r.seconds(),
          r.emptyStructures(),
          SampleShapes.SHEET,
          r.dir(),
          r.digest());
      w.flush();
      return 0;
    }
    w.printf(
        "%d shapes (%d steps, cfg %s, %d network evaluations each) in %.2f s%n  meshes and %s in %s%n  digest %s%n",
        r.shapes().size(),
        r.sampler().steps(),
        r.sampler().cfgStrength(),
        r.nfePerShape(),
        r.seconds(),
        SampleShapes.SHEET,
        r.dir(),
        r.digest());
    w.flush();
    return 0;
  }

  /**
   * The output is replaced wholesale, so only a directory this command wrote may be: never the
   * model (nor, for a pipeline, one of its stages), a directory holding it, another artifact or
   * somebody's files.
   */
  private void refuseUnsafeOut() throws IOException {
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("--model", model);
    Pipelines.declaredStages(model)
        .forEach((stage, dir) -> inputs.put("(the pipeline's " + stage + " stage)", dir));
    OutputGuard.refuseUnsafe(out, inputs, "samples", "an earlier mdt sample output");
  }
}
