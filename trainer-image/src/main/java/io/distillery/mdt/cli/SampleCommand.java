package io.distillery.mdt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.sampling.SampleShapes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
          + " write each as PLY and OBJ (voxel surface) plus a PNG contact sheet (sheet.png), into"
          + " a directory with a manifest that appears only when complete.",
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
      description = "Euler steps, at least 1 (default: the model's, from its model.json).")
  Integer steps;

  @Option(
      names = "--cfg",
      paramLabel = "W",
      description = "CFG strength w, 0 for none (default: the model's; 0 for a distilled student).")
  Double cfg;

  @Option(
      names = "--rescale-t",
      paramLabel = "R",
      description = "Time-grid rescale r > 0 (default: the model's).")
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
                Devices.resolve(device)));
    PrintWriter w = spec.commandLine().getOut();
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
   * model, a directory holding it, another artifact or somebody's files. A bad option (exit 2),
   * refused before anything is loaded or deleted.
   */
  private void refuseUnsafeOut() throws IOException {
    Path dir = out.toAbsolutePath().normalize();
    Path modelDir = real(model.toAbsolutePath().normalize());
    if (modelDir.startsWith(real(dir))) {
      refuse("holds the model --model " + model);
    }
    if (real(dir).startsWith(modelDir)) {
      refuse("is inside the model --model " + model);
    }
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      refuse("is a file, not a directory");
    }
    if (Files.exists(dir.resolve(Artifact.MANIFEST))) {
      if (!isSampleOutput(dir)) {
        refuse("is a model artifact, not an earlier mdt sample output");
      }
      return;
    }
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        refuse("is not empty and not an earlier mdt sample output");
      }
    }
  }

  private void refuse(String why) {
    // A config error rather than a ParameterException: one line, no usage text after it.
    throw new InvalidConfigException(
        "--out " + out + ": " + why + "; choose a new or empty directory (nothing was deleted)");
  }

  /** What {@link SampleShapes} writes: an artifact whose model.json says kind "samples". */
  private static boolean isSampleOutput(Path dir) {
    try {
      return "samples"
          .equals(
              new ObjectMapper()
                  .readTree(dir.resolve(Artifact.MODEL_JSON).toFile())
                  .path("kind")
                  .asText());
    } catch (IOException e) {
      return false;
    }
  }

  /** The real path where it exists, so a symlink cannot hide the model. */
  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }
}
