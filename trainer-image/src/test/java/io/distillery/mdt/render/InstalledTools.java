package io.distillery.mdt.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where hack/install-tools.sh put a tool (installing it first when missing): the tools tests run
 * besides the JVM, pinned in hack/tool-versions.env and cached outside the repository.
 */
public final class InstalledTools {
  private InstalledTools() {}

  /** The install directory of {@code tool}, e.g. gltf-validator or chromium. */
  public static Path dir(String tool) throws IOException, InterruptedException {
    Path repo = Path.of(Objects.requireNonNull(System.getProperty("distillery.repo"), "repo"));
    Process p =
        new ProcessBuilder(
                List.of(repo.resolve("hack/install-tools.sh").toString(), "--print", tool))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("hack/install-tools.sh --print " + tool + " failed: " + out);
    }
    Path dir = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
    if (!Files.isDirectory(dir)) {
      throw new IOException("no " + tool + " at " + dir);
    }
    return dir;
  }
}
