package io.distillery.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.TestApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in examples/ is accepted by a real kube-apiserver with the CRDs of crds/ and Kueue's
 * (from the pinned Kueue module: an example may set up its queues; server-side apply, dry run,
 * strict field validation, with the real kubectl, as a user would apply it), and each broken
 * manifest in src/test/resources/invalid-manifests is refused with a message naming the field (its
 * first line, {@code # expect: ...}).
 */
class ExamplesIT {
  static final Path EXAMPLES = ControlPlane.repo().resolve("examples");
  static final Path INVALID =
      ControlPlane.repo().resolve("operator/src/test/resources/invalid-manifests");
  static TestApiServer api;
  static Path kubeconfig;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    kubeconfig = Binaries.kubeconfigFile(api.kubeConfigYaml());
    Path kueueCrds = Binaries.kueueModuleDir().resolve("config/components/crd/bases");
    Binaries.kubectl(kubeconfig, "apply", "--server-side", "-f", kueueCrds.toString())
        .requireSuccess();
    Binaries.kubectl(
            kubeconfig,
            "wait",
            "--for=condition=Established",
            "crd/clusterqueues.kueue.x-k8s.io",
            "crd/localqueues.kueue.x-k8s.io",
            "crd/resourceflavors.kueue.x-k8s.io",
            "--timeout=30s")
        .requireSuccess();
  }

  @AfterAll
  static void stop() {
    if (api != null) api.close();
  }

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static List<Path> invalidManifests() throws IOException {
    try (Stream<Path> files = Files.list(INVALID)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void theRequiredExamplesExist() throws IOException {
    assertThat(examples().stream().map(p -> p.getFileName().toString()))
        .contains(
            "distillationjob-appearance.yaml",
            "distillationjob-cpu.yaml",
            "distillationjob-gpu.yaml",
            "distillationjob-kueue.yaml",
            "distillationjob-torchscript-pvc.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleIsAcceptedByTheApiServer(Path example) throws IOException {
    String text = Files.readString(example);
    List<String> header = text.lines().takeWhile(l -> l.startsWith("#")).toList();
    assertThat(header)
        .as("%s starts with a comment saying what it shows", example)
        .hasSizeGreaterThan(2);
    assertThat(header.get(0)).matches("# \\S.*");

    String ns = api.newNamespace("example");
    var applied =
        Binaries.kubectl(
            kubeconfig,
            "apply",
            "--server-side",
            "--dry-run=server",
            "--validate=strict",
            "-n",
            ns,
            "-f",
            example.toString(),
            "-o",
            "yaml");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    long documents = text.lines().filter(l -> l.startsWith("kind:")).count();
    assertThat(applied.output().lines().filter(l -> l.matches("\\s*kind: \\w+")).count())
        .as("every document of %s comes back from the server", example)
        .isGreaterThanOrEqualTo(documents);
    if (text.contains("kind: DistillationJob")) {
      // Defaults from the CRD's schema were applied by the server.
      assertThat(applied.output()).contains("method: mdt").contains("backoffLimit:");
    }
    // A dry run persists nothing.
    assertThat(Manifests.untyped(api.client()).inNamespace(ns).list().getItems()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void brokenManifestIsRefusedNamingTheField(Path manifest) throws IOException {
    String first = Files.readString(manifest).lines().findFirst().orElseThrow();
    assertThat(first).startsWith("# expect: ");
    String expected = first.substring("# expect: ".length());
    String ns = api.newNamespace("invalid");
    var applied =
        Binaries.kubectl(
            kubeconfig,
            "apply",
            "--server-side",
            "--dry-run=server",
            "--validate=strict",
            "-n",
            ns,
            "-f",
            manifest.toString());
    assertThat(applied.exitCode()).as(applied.output()).isNotZero();
    assertThat(applied.output()).contains(expected);
  }
}
