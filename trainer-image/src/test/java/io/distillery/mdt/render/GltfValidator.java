package io.distillery.mdt.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Khronos glTF validator (npm {@code gltf-validator}, pinned in hack/tool-versions.env and
 * installed by hack/install-tools.sh), run with node on files: one JSON report per file.
 */
public final class GltfValidator {
  private GltfValidator() {}

  /** Validates {@code files}; each report has errors, warnings, infos, hints and messages. */
  public static List<JsonNode> validate(List<Path> files) throws IOException, InterruptedException {
    String installed = InstalledTools.dir("gltf-validator").toString();
    List<String> command = new ArrayList<>(List.of("node", script().toString(), installed));
    files.forEach(f -> command.add(f.toString()));
    List<JsonNode> reports = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : run(command).split("\n")) {
      if (!line.isBlank()) {
        reports.add(json.readTree(line));
      }
    }
    if (reports.size() != files.size()) {
      throw new IOException("validator reported " + reports.size() + " of " + files.size());
    }
    return reports;
  }

  private static Path script() throws IOException {
    try {
      return Path.of(GltfValidator.class.getResource("/gltf/validate.mjs").toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command + " did not finish in 120 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(command + " failed (exit " + p.exitValue() + "): " + out);
    }
    return out;
  }
}
