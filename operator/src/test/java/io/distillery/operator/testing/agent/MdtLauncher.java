package io.distillery.operator.testing.agent;

import io.distillery.operator.testing.ControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the trainer image's entrypoint ({@code mdt}) is on this machine: the {@code mdt.jar} the
 * build just packaged, run by this JVM's {@code java} with the options {@code ./mdt} uses (offline
 * DJL, one libtorch thread on the shared cores).
 */
public record MdtLauncher(Path java, Path jar, List<String> jvmOptions) {

  /** trainer-image/target/mdt.jar of this checkout; fails naming the build step when missing. */
  public static MdtLauncher fromBuild() {
    Path jar = ControlPlane.repo().resolve("trainer-image/target/mdt.jar");
    if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
      throw new IllegalStateException(
          jar
              + " (with lib/) is missing: build the trainer first,"
              + " ./mvnw -pl trainer-image -am -DskipTests package");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new MdtLauncher(
        java, jar, List.of("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Xmx2g"));
  }

  /** The command line for {@code mdt <args>}. */
  public List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return command;
  }
}
