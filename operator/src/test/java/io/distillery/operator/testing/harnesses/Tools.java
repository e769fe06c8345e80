package io.distillery.operator.testing.harnesses;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tools besides the control plane (prometheus, promtool), pinned in hack/tool-versions.env and
 * installed into the cache by hack/install-tools.sh, which the first call runs.
 */
public final class Tools {
  private Tools() {}

  /** The install directory of {@code tool} (installing it when missing). */
  public static Path installed(String tool) {
    String hack = ControlPlane.repo().resolve("hack/install-tools.sh").toString();
    Binaries.Result r = Binaries.run(List.of(hack, "--print", tool), Map.of(), 300);
    r.requireSuccess();
    String[] lines = r.output().strip().split("\n");
    return Path.of(lines[lines.length - 1].strip());
  }

  public static Path prometheusBin() {
    return installed("prometheus").resolve("usr/bin");
  }

  /** {@code promtool check metrics} on a scrape saved in {@code file} (it reads stdin only). */
  public static Binaries.Result checkMetrics(Path file) {
    return Binaries.run(
        List.of(
            "sh",
            "-c",
            "\"$0\" check metrics < \"$1\"",
            prometheusBin().resolve("promtool").toString(),
            file.toAbsolutePath().toString()),
        Map.of(),
        60);
  }

  /** Runs promtool with {@code args} in {@code dir}. */
  public static Binaries.Result promtool(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(prometheusBin().resolve("promtool").toString());
    command.addAll(List.of(args));
    List<String> inDir = List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", dir.toString());
    List<String> all = new ArrayList<>(inDir);
    all.addAll(command);
    return Binaries.run(all, Map.of(), 120);
  }
}
