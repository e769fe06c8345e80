package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The checked-in CRD on a real kube-apiserver: defaults, schema and CEL validation at admission
 * (each refusal names the field), and the spec freezing once the trainer Job exists.
 */
class CrdAdmissionIT {
  static TestApiServer api;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    ns = api.newNamespace("admission");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void minimalJobIsAcceptedWithDefaults() {
    var created = create(Manifests.distillationJob("minimal", ""));
    Map<String, Object> spec = created.get("spec");
    assertThat(spec).containsEntry("method", "mdt").containsEntry("backoffLimit", 3);
    assertThat(spec).containsEntry("suspend", false).containsEntry("stage", "structure");
    assertThat(created.<String>get("spec", "teacher", "format")).isEqualTo("djl");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          step count 0              | studentSteps: [0]                                 | studentSteps: every step count must be between 1 and 8
          step count 9              | studentSteps: [1, 9]                              | studentSteps: every step count must be between 1 and 8
          repeated step count       | studentSteps: [2, 2]                              | studentSteps: step counts must not repeat
          no step count             | studentSteps: []                                  | spec.studentSteps
          negative loss weight      | 'hyperparameters: {lambdaVM: -1}'                 | spec.hyperparameters.lambdaVM
          both loss weights zero    | 'hyperparameters: {lambdaVM: 0, lambdaVD: 0}'     | at least one of lambdaVM and lambdaVD must be above zero
          zero maxSteps             | 'hyperparameters: {maxSteps: 0}'                  | spec.hyperparameters.maxSteps
          zero batchSize            | 'hyperparameters: {batchSize: 0}'                 | spec.hyperparameters.batchSize
          unknown method            | method: distill                                   | spec.method
          unknown teacher format    | 'teacher: {uri: "builtin:shipped", format: onnx}' | spec.teacher.format
          teacher without uri       | 'teacher: {format: djl}'                          | spec.teacher.uri
          emaRate of 1              | 'hyperparameters: {emaRate: 1}'                   | spec.hyperparameters.emaRate
          negative gpus             | 'resources: {gpus: -1}'                           | spec.resources.gpus
          bad queue name            | queueName: Team_A                                 | spec.queueName
          zero maxPairedError       | 'evaluation: {gates: {maxPairedError: 0}}'        | spec.evaluation.gates.maxPairedError
          minPairedIoU above 1      | 'evaluation: {gates: {minPairedIoU: 1.5}}'        | spec.evaluation.gates.minPairedIoU
          unknown built-in features | 'evaluation: {features: {uri: "builtin:incv3"}}'  | spec.evaluation.features.uri
          features in the image     | 'evaluation: {features: {uri: "/opt/f.pt"}}'      | spec.evaluation.features.uri
          feature module, no digest | 'evaluation: {features: {uri: "pvc://nets/f.pt"}}' | evaluation.features.digest: required (sha256:<64 hex>) for a pvc:// feature module
          digest on a built-in      | 'evaluation: {features: {uri: "builtin:teacher", digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000"}}' | spec.evaluation.features.digest
          """)
  void invalidSpecIsRefusedNamingTheField(String why, String specLine, String expected) {
    String yaml =
        Manifests.distillationJob("bad", "").replace("spec:\n", "spec:\n  " + specLine + "\n");
    // A later duplicate key would win in YAML; the replacement puts the line first, so remove the
    // default teacher when the case sets its own.
    if (specLine.startsWith("teacher")) {
      yaml = yaml.replace("  teacher:\n    uri: builtin:shipped\n", "");
    }
    String manifest = yaml;
    assertThatThrownBy(() -> create(manifest))
        .as(why)
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void pairedIoUNeedsOccupancyDataAndAFeatureModuleItsDigest() {
    String shape =
        "teacher: {uri: 'pvc://models/t.pt', format: torchscript, shape: {channels: %d,"
            + " resolution: 16, numClasses: 8}}\n";
    String iou = "evaluation: {gates: {minPairedIoU: 0.8, maxPairedError: 0.2}}";
    assertThatThrownBy(() -> create(withTeacher("latents", shape.formatted(2) + iou)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.evaluation.gates.minPairedIoU")
        .hasMessageContaining("IoU needs occupancy data (1 channel)");
    // One channel (explicit or the built-in teacher's) is occupancy data; the error gate has no
    // such limit.
    create(withTeacher("occupancy", shape.formatted(1) + iou));
    create(Manifests.distillationJob("builtin-iou", iou));
    create(
        withTeacher(
            "latents-err", shape.formatted(2) + "evaluation: {gates: {maxPairedError: 0.2}}"));

    String module =
        "evaluation: {features: {uri: 'pvc://nets/features.pt', digest: 'sha256:%s'}}"
            .formatted("ab".repeat(32));
    var created = create(Manifests.distillationJob("module", module));
    assertThat(created.<String>get("spec", "evaluation", "features", "uri"))
        .isEqualTo("pvc://nets/features.pt");
    create(
        Manifests.distillationJob(
            "teacher-features", "evaluation: {features: {uri: 'builtin:teacher'}}"));
  }

  @Test
  void theAppearanceStageRefusesWhatItCannotTrainOnOrBeJudgedBy() {
    String appearance = "stage: appearance\nteacher: {uri: 'pvc://models/appearance-teacher'}\n";
    var created =
        create(
            withTeacher(
                "appearance",
                appearance
                    + "dataset: {uri: 'builtin:shapes'}\n"
                    + "evaluation: {gates: {maxPairedError: 0.3, minSpeedup: 5}}"));
    assertThat(created.<String>get("spec", "stage")).isEqualTo("appearance");

    // Its structures may come from a dataset of your own or a structure model.
    create(withTeacher("appearance-data", appearance + "dataset: {uri: 'pvc://data/occupancy'}"));
    create(
        withTeacher(
            "appearance-model",
            appearance + "dataset: {structureModel: 'pvc://models/structure-teacher'}"));
    assertRefused(
        "teacher: {uri: 'builtin:shipped'}\n"
            + "dataset: {structureModel: 'pvc://models/structure-teacher'}",
        "spec.dataset.structureModel",
        AppearanceStageRules.STRUCTURE_MODEL);
    assertRefused(
        appearance + "evaluation: {gates: {maxFdRatio: 1.2}}",
        "spec.evaluation.gates.maxFdRatio",
        AppearanceStageRules.FD_GATE);
    assertRefused(
        appearance + "evaluation: {gates: {minPairedIoU: 0.8}}",
        "spec.evaluation.gates.minPairedIoU",
        AppearanceStageRules.IOU_GATE);
    // builtin:shipped is the appearance stage's own bundled teacher.
    create(
        withTeacher("appearance-shipped", "stage: appearance\nteacher: {uri: 'builtin:shipped'}"));
    String torchscript =
        "stage: appearance\nteacher: {uri: 'pvc://models/slat.pt', format: torchscript%s}";
    assertRefused(
        torchscript.formatted(""), "spec.teacher.shape", AppearanceStageRules.TORCHSCRIPT_SHAPE);
    create(
        withTeacher(
            "appearance-ts",
            torchscript.formatted(", shape: {channels: 3, resolution: 16, numClasses: 8}")));
    // The structure stage keeps every gate and dataset.
    create(
        withTeacher(
            "structure",
            "stage: structure\nteacher: {uri: 'builtin:shipped'}\n"
                + "dataset: {uri: 'pvc://data/latents'}\n"
                + "evaluation: {gates: {maxFdRatio: 1.2, minPairedIoU: 0.8}}"));
  }

  private static void assertRefused(String specLines, String field, String message) {
    assertThatThrownBy(() -> create(withTeacher("refused", specLines)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(field)
        .hasMessageContaining(message);
  }

  /** A job whose spec lines replace the default teacher. */
  private static String withTeacher(String name, String specLines) {
    return Manifests.distillationJob(name, specLines)
        .replace("  teacher:\n    uri: builtin:shipped\n", "");
  }

  @Test
  void outputNeedsExactlyOneOfClaimNameAndSize() {
    String both =
        Manifests.distillationJob("both", "")
            .replace("claimName: artifacts", "claimName: a\n    size: 1Gi");
    assertThatThrownBy(() -> create(both))
        .hasMessageContaining("set exactly one of claimName")
        .hasMessageContaining("spec.output");
    String neither = Manifests.distillationJob("neither", "").replace("claimName: artifacts", "{}");
    assertThatThrownBy(() -> create(neither.replace("output:\n    {}", "output: {}")))
        .hasMessageContaining("set exactly one of claimName");
    String classWithoutSize =
        Manifests.distillationJob("cls", "")
            .replace("claimName: artifacts", "claimName: a\n    storageClassName: fast");
    assertThatThrownBy(() -> create(classWithoutSize))
        .hasMessageContaining("spec.output.storageClassName");
  }

  @ParameterizedTest(name = "output.path {0}")
  @CsvSource({"../../etc", "jobs/../../etc", "..", "runs/./x", "/etc", "a//b"})
  void anOutputPathThatLeavesTheClaimIsRefused(String path) {
    String manifest =
        Manifests.distillationJob("escape", "")
            .replace("claimName: artifacts", "claimName: artifacts\n    path: '" + path + "'");
    assertThatThrownBy(() -> create(manifest))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.output.path");
  }

  @Test
  void aNestedOutputPathIsAccepted() {
    var created =
        create(
            Manifests.distillationJob("nested", "")
                .replace("claimName: artifacts", "claimName: artifacts\n    path: runs/a..b/v1"));
    assertThat(created.<String>get("spec", "output", "path")).isEqualTo("runs/a..b/v1");
  }

  @Test
  void missingOutputAndOverlongNameAreRefused() {
    String noOutput =
        Manifests.distillationJob("no-output", "")
            .replace("  output:\n    claimName: artifacts\n", "");
    assertThatThrownBy(() -> create(noOutput)).hasMessageContaining("spec.output");
    String longName = "x".repeat(53);
    assertThatThrownBy(() -> create(Manifests.distillationJob(longName, "")))
        .hasMessageContaining("metadata.name: at most 52 characters");
  }

  @Test
  void specIsFrozenOnceTheTrainerJobExistsExceptSuspendAndTtl() {
    create(Manifests.distillationJob("frozen", "hyperparameters: {maxSteps: 100}"));
    // Before the operator records a trainer Job, the spec may still change.
    edit("frozen", r -> hyperparameters(r).put("maxSteps", 200));

    var status = Manifests.untyped(client).inNamespace(ns).withName("frozen").get();
    status.setAdditionalProperty("status", Map.of("trainerJob", "frozen"));
    Manifests.untyped(client).inNamespace(ns).resource(status).updateStatus();

    assertThatThrownBy(() -> edit("frozen", r -> hyperparameters(r).put("maxSteps", 300)))
        .hasMessageContaining("spec is immutable once the trainer Job exists");
    assertThatThrownBy(() -> edit("frozen", r -> spec(r).put("stage", "appearance")))
        .hasMessageContaining("spec is immutable once the trainer Job exists");
    edit("frozen", r -> spec(r).put("suspend", true));
    edit("frozen", r -> spec(r).put("ttlSecondsAfterFinished", 600));
    var after = Manifests.untyped(client).inNamespace(ns).withName("frozen").get();
    assertThat(after.<Integer>get("spec", "hyperparameters", "maxSteps")).isEqualTo(200);
    assertThat(after.<Boolean>get("spec", "suspend")).isTrue();
  }

  private static GenericKubernetesResource create(String yaml) {
    return Manifests.untyped(client)
        .inNamespace(ns)
        .resource(Manifests.parse(client, yaml))
        .create();
  }

  private static void edit(
      String name, java.util.function.Consumer<GenericKubernetesResource> change) {
    Manifests.untyped(client)
        .inNamespace(ns)
        .withName(name)
        .edit(
            r -> {
              change.accept(r);
              return r;
            });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> hyperparameters(GenericKubernetesResource r) {
    return (Map<String, Object>) spec(r).get("hyperparameters");
  }
}
