package io.distillery.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the entrypoints of Distillery's two images are on this machine, where no image can run: the
 * trainer image ({@code .../mdt}) is the {@code mdt.jar} the build packaged, the operator image
 * ({@code .../operator}) the packaged Quarkus application, each run by this JVM's {@code java}.
 * Each also names the variable through which its servers bind the pod's own address.
 */
public record Entrypoints(Path java, Path mdtJar, Path operatorJar) {

  /** How one container starts: its command line and the variables the image adds. */
  public record Launch(List<String> command, Map<String, String> environment) {}

  /**
   * The jars the build packaged in the checkout at {@code repo}: {@code
   * trainer-image/target/mdt.jar} and {@code operator/target/quarkus-app/quarkus-run.jar}.
   */
  public static Entrypoints inRepository(Path repo) {
    return fromJars(
        repo.resolve("trainer-image/target/mdt.jar"),
        repo.resolve("operator/target/quarkus-app/quarkus-run.jar"));
  }

  /**
   * The given jars, run by this JVM's {@code java}; fails naming the build step when one is
   * missing.
   */
  public static Entrypoints fromJars(Path mdtJar, Path operatorJar) {
    if (!Files.isRegularFile(mdtJar) || !Files.isDirectory(mdtJar.resolveSibling("lib"))) {
      throw new IllegalStateException(
          mdtJar
              + " (with lib/) is missing: build the trainer first,"
              + " ./mvnw -pl trainer-image -am -DskipTests package");
    }
    if (!Files.isRegularFile(operatorJar)) {
      throw new IllegalStateException(
          operatorJar
              + " is missing: package the operator first,"
              + " ./mvnw -pl operator -am -DskipTests package");
    }
    return new Entrypoints(
        Path.of(System.getProperty("java.home"), "bin", "java"), mdtJar, operatorJar);
  }

  /**
   * The launch of a container of {@code image} with {@code args}, bound to {@code podIp}; {@code
   * env} is the container's environment (the operator image reads {@code JAVA_OPTS_APPEND}).
   */
  public Launch launch(String image, List<String> args, Map<String, String> env, String podIp) {
    List<String> command = new ArrayList<>(List.of(java.toString()));
    Map<String, String> added = new LinkedHashMap<>();
    switch (imageName(image)) {
      case "mdt" -> {
        // The options ./mdt uses: offline DJL, one libtorch thread on the shared cores.
        command.addAll(
            List.of("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Xmx2g"));
        command.addAll(List.of("-jar", mdtJar.toString()));
        added.put("MDT_BIND_ADDRESS", podIp);
      }
      case "operator" -> {
        command.add("-Xmx256m");
        String opts = env.getOrDefault("JAVA_OPTS_APPEND", "").trim();
        if (!opts.isEmpty()) {
          command.addAll(Arrays.asList(opts.split("\\s+")));
        }
        command.addAll(List.of("-jar", operatorJar.toString()));
        added.put("QUARKUS_HTTP_HOST", podIp);
      }
      default ->
          throw new IllegalArgumentException(
              "image "
                  + image
                  + ": the local node agent runs Distillery's images only (repository"
                  + " .../mdt or .../operator); other images stay simulated, on the kwok"
                  + " nodes");
    }
    command.addAll(args);
    if (imageName(image).equals("mdt") && !args.isEmpty() && args.get(0).equals("distill")) {
      // No CUDA here: the node's GPUs are played by one CPU replica, whatever the config asks for
      // (the operator renders device: gpu and one replica per requested GPU); N replicas on the
      // CPU would run in turn, changing the trainer's pace that the Kueue tests time against.
      command.addAll(List.of("--device", "cpu", "--replicas", "1"));
    }
    return new Launch(List.copyOf(command), added);
  }

  /** The last path segment of the repository: ghcr.io/distillery/mdt:0.1.0 is "mdt". */
  static String imageName(String image) {
    String repository = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = repository.lastIndexOf('/');
    int colon = repository.lastIndexOf(':');
    if (colon > slash) {
      repository = repository.substring(0, colon);
    }
    return repository.substring(slash + 1);
  }
}
