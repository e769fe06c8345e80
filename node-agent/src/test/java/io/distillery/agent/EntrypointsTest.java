package io.distillery.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EntrypointsTest {
  final Entrypoints images =
      new Entrypoints(
          Path.of("/jdk/bin/java"), Path.of("/r/mdt.jar"), Path.of("/r/quarkus-run.jar"));

  @Test
  void theTrainerImageRunsMdtBoundToThePodAddress() {
    var launch =
        images.launch(
            "ghcr.io/distillery/mdt:0.1.0",
            List.of("serve", "--port", "8080"),
            Map.of(),
            "127.81.0.5");
    assertThat(launch.command())
        .startsWith("/jdk/bin/java")
        .containsSubsequence("-jar", "/r/mdt.jar", "serve", "--port", "8080");
    assertThat(launch.environment()).containsEntry("MDT_BIND_ADDRESS", "127.81.0.5");
  }

  @Test
  void aTrainerTrainsOnTheCpuWhateverDeviceItsConfigAsksFor() {
    var launch =
        images.launch(
            "ghcr.io/distillery/mdt:0.1.0",
            List.of("distill", "--config", "/etc/distillery/trainer.yaml"),
            Map.of(),
            "127.81.0.5");
    // --device overrides the config file's device (gpu when the job requests GPUs).
    assertThat(launch.command())
        .endsWith(
            "distill",
            "--config",
            "/etc/distillery/trainer.yaml",
            "--device",
            "cpu",
            "--replicas",
            "1");
  }

  @Test
  void theOperatorImageRunsTheQuarkusAppWithItsJavaOptions() {
    var launch =
        images.launch(
            "registry.local:5000/team/operator@sha256:abc",
            List.of(),
            Map.of("JAVA_OPTS_APPEND", " -XX:+UseSerialGC  -Dx=y "),
            "127.81.0.6");
    assertThat(launch.command())
        .containsSubsequence("-XX:+UseSerialGC", "-Dx=y", "-jar", "/r/quarkus-run.jar")
        .endsWith("/r/quarkus-run.jar");
    assertThat(launch.environment()).containsEntry("QUARKUS_HTTP_HOST", "127.81.0.6");
  }

  @Test
  void anyOtherImageIsRefusedByName() {
    assertThatThrownBy(
            () -> images.launch("docker.io/library/nginx:1.27", List.of(), Map.of(), "x"))
        .hasMessageContaining("docker.io/library/nginx:1.27")
        .hasMessageContaining("Distillery's images only");
  }
}
