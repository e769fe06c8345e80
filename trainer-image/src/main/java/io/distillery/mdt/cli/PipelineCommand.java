package io.distillery.mdt.cli;

import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.model.PipelineCard;
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

/** {@code mdt pipeline}: pair a structure model and an appearance model into one artifact. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "Pair a structure model and an appearance model (TRELLIS's two stages) into a pipeline"
          + " artifact that mdt sample runs as a chain: structure, thresholded, then colours on it.",
      "The pipeline records each stage's path and digest; a stage retrained or changed later is"
          + " refused when the pipeline is opened. A relative stage path is stored relative to the"
          + " pipeline directory, so the three directories can move together."
    })
public final class PipelineCommand implements Callable<Integer> {
  @Option(
      names = "--structure",
      paramLabel = "DIR",
      required = true,
      description = "The structure stage: a dense model of occupancy (1 channel).")
  Path structure;

  @Option(
      names = "--appearance",
      paramLabel = "DIR",
      required = true,
      description = "The appearance stage: a sparse model of RGB colours on a structure.")
  Path appearance;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description =
          "Pipeline directory: new, empty, or an earlier mdt pipeline output, which is replaced;"
              + " anything else is refused.")
  Path out;

  @Option(
      names = "--threshold",
      paramLabel = "T",
      defaultValue = "0",
      description =
          "Occupancy threshold on the structure sample: voxels above it are occupied (default:"
              + " ${DEFAULT-VALUE}).")
  double threshold;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!Double.isFinite(threshold)) {
      throw new InvalidConfigException("--threshold must be a finite number, got " + threshold);
    }
    Map<String, Path> inputs = new LinkedHashMap<>();
    inputs.put("--structure", structure);
    inputs.put("--appearance", appearance);
    OutputGuard.refuseUnsafe(out, inputs, PipelineCard.KIND, "an earlier mdt pipeline output");
    Artifact written = Pipelines.write(out, stored(structure), stored(appearance), threshold);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("pipeline %s%n  digest %s%n", written.dir(), written.digest());
    w.flush();
    return 0;
  }

  /** A relative stage path (from the working directory) as seen from the pipeline directory. */
  private Path stored(Path stage) {
    if (stage.isAbsolute()) {
      return stage;
    }
    Path pipeline = out.toAbsolutePath().normalize();
    return pipeline.relativize(stage.toAbsolutePath().normalize());
  }
}
