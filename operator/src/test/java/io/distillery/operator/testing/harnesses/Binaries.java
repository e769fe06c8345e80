package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the project's real command-line binaries (helm, kubectl built by {@code
 * hack/build-control-plane.sh}) and captures their exit code and combined output.
 */
public final class Binaries {
  private Binaries() {}

  /** Exit code and combined stdout/stderr of one command. */
  public record Result(int exitCode, String output) {
    public Result requireSuccess() {
      if (exitCode != 0) {
        throw new IllegalStateException("command failed (exit " + exitCode + "):\n" + output);
      }
      return this;
    }
  }

  /** Directory of the control-plane binaries, e.g. helm and kubectl. */
  public static Path binDir() {
    return Path.of(System.getProperty("user.home"), ".cache", "distillery", "control-plane")
        .resolve(ControlPlane.kubeVersion())
        .resolve("bin");
  }

  public static Path helm() {
    ControlPlane.ensure("helm");
    return require(binDir().resolve("helm"));
  }

  public static Path kubectl() {
    ControlPlane.ensure("api");
    return require(binDir().resolve("kubectl"));
  }

  /** A control-plane binary of {@code group} (e.g. kube-controller-manager of {@code api}). */
  public static Path controlPlaneBinary(String group, String name) {
    ControlPlane.ensure(group);
    return require(binDir().resolve(name));
  }

  /**
   * The unpacked source of the pinned Kueue module (its CRDs and webhook manifests), as {@code
   * hack/build-control-plane.sh --print-module-dir kueue} names it.
   */
  public static Path kueueModuleDir() {
    ControlPlane.ensure("kueue");
    String dir =
        run(
                List.of(
                    ControlPlane.repo().resolve("hack/build-control-plane.sh").toString(),
                    "--print-module-dir",
                    "kueue"),
                Map.of(),
                30)
            .requireSuccess()
            .output()
            .strip();
    if (!Files.isDirectory(Path.of(dir, "config/components/crd/bases"))) {
      throw new IllegalStateException(
          "missing Kueue's manifests in "
              + dir
              + ": hack/build-control-plane.sh kueue unpacks them");
    }
    return Path.of(dir);
  }

  /** The repository's chart. */
  public static Path chart() {
    return ControlPlane.repo().resolve("charts/distillery");
  }

  public static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) {
    try {
      Path out = Files.createTempFile("distillery-cmd", ".log");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(ControlPlane.repo().toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(env);
        // helm keeps caches and config under HOME-derived paths; keep them out of the user's.
        pb.environment().putIfAbsent("HELM_CACHE_HOME", tmp("helm-cache"));
        pb.environment().putIfAbsent("HELM_CONFIG_HOME", tmp("helm-config"));
        pb.environment().putIfAbsent("HELM_DATA_HOME", tmp("helm-data"));
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          throw new IllegalStateException(
              "timed out after "
                  + timeoutSeconds
                  + " s: "
                  + command
                  + "\n"
                  + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code helm args...}; a kubeconfig file is passed when not null. */
  public static Result helm(Path kubeconfig, String... args) {
    List<String> cmd = new ArrayList<>(List.of(helm().toString()));
    cmd.addAll(List.of(args));
    if (kubeconfig != null) {
      cmd.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    }
    return run(cmd, Map.of(), 120);
  }

  /** {@code kubectl --kubeconfig <file> args...}. */
  public static Result kubectl(Path kubeconfig, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of(kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return run(cmd, Map.of(), 60);
  }

  /** Writes a kubeconfig (e.g. the test API server's) to a temporary file for the binaries. */
  public static Path kubeconfigFile(String yaml) {
    try {
      Path f = Files.createTempFile("kubeconfig", ".yaml");
      f.toFile().deleteOnExit();
      return Files.writeString(f, yaml);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String tmp(String name) {
    return Path.of(System.getProperty("java.io.tmpdir"), "distillery-" + name).toString();
  }

  private static Path require(Path binary) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "missing " + binary + ": hack/build-control-plane.sh builds it");
    }
    return binary;
  }
}
