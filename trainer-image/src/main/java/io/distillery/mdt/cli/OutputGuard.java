package io.distillery.mdt.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Refuses an {@code --out} that a command would replace wholesale unless it is safe to: new, empty,
 * or an earlier output of the same command (an artifact whose model.json has that command's kind);
 * never one of the models it reads, a directory holding one or inside one, another artifact or
 * somebody's files. A bad option (exit 2), refused before anything is loaded or deleted.
 */
final class OutputGuard {
  private OutputGuard() {}

  /**
   * @param out the --out directory
   * @param inputs the models read, by option ({@code --model} to its directory)
   * @param kind the model.json kind of this command's own outputs
   * @param earlier how to call such an output in a message ("an earlier mdt sample output")
   */
  static void refuseUnsafe(Path out, Map<String, Path> inputs, String kind, String earlier)
      throws IOException {
    Path dir = out.toAbsolutePath().normalize();
    for (Map.Entry<String, Path> input : inputs.entrySet()) {
      Path modelDir = real(input.getValue().toAbsolutePath().normalize());
      String named = input.getKey() + " " + input.getValue();
      if (modelDir.startsWith(real(dir))) {
        refuse(out, "holds the model " + named);
      }
      if (real(dir).startsWith(modelDir)) {
        refuse(out, "is inside the model " + named);
      }
    }
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      refuse(out, "is a file, not a directory");
    }
    if (Files.exists(dir.resolve(Artifact.MANIFEST))) {
      if (!kind.equals(kindOf(dir))) {
        refuse(out, "is a model artifact, not " + earlier);
      }
      return;
    }
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        refuse(out, "is not empty and not " + earlier);
      }
    }
  }

  private static void refuse(Path out, String why) {
    // A config error rather than a ParameterException: one line, no usage text after it.
    throw new InvalidConfigException(
        "--out " + out + ": " + why + "; choose a new or empty directory (nothing was deleted)");
  }

  /** The kind in a directory's model.json, or "" if it has none that reads. */
  private static String kindOf(Path dir) {
    try {
      return new ObjectMapper()
          .readTree(dir.resolve(Artifact.MODEL_JSON).toFile())
          .path("kind")
          .asText();
    } catch (IOException e) {
      return "";
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
