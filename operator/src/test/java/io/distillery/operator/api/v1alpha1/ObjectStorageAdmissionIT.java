package io.distillery.operator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Object-storage locations at admission on a real kube-apiserver: {@code spec.output.uri} as the
 * third output choice (exactly one of claimName, size, uri), S3 bucket-name rules, {@code spec.s3}
 * and {@code s3://} model URIs of a StudentDeployment.
 */
class ObjectStorageAdmissionIT {
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static TestApiServer api;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    ns = api.newNamespace("s3-admission");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void anS3OutputWithCredentialsIsAccepted() {
    var created =
        createJob(
            withOutput("to-s3", "uri: s3://distillery-out/runs\n    path: team-a/run-1")
                + "  s3:\n    credentialsSecret: s3-creds\n");
    assertThat(created.<String>get("spec", "output", "uri")).isEqualTo("s3://distillery-out/runs");
    assertThat(created.<String>get("spec", "s3", "credentialsSecret")).isEqualTo("s3-creds");
    createJob(withOutput("bucket-root", "uri: s3://my.bucket-1"));
    createJob(
        Manifests.distillationJob(
                "s3-inputs",
                "dataset: {uri: 's3://datasets/shapes'}\nteacher: {uri: 's3://teachers/t1'}")
            .replace("  teacher:\n    uri: builtin:shipped\n", ""));
  }

  @Test
  void exactlyOneOfClaimNameSizeAndUri() {
    for (String output :
        new String[] {
          "claimName: a\n    uri: s3://distillery-out/runs",
          "size: 1Gi\n    uri: s3://distillery-out/runs",
        }) {
      assertThatThrownBy(() -> createJob(withOutput("two", output)))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("spec.output")
          .hasMessageContaining("set exactly one of claimName")
          .hasMessageContaining("or uri (an s3://bucket/prefix)");
    }
    assertThatThrownBy(
            () ->
                createJob(
                    withOutput("class", "uri: s3://distillery-out/r\n    storageClassName: fast")))
        .hasMessageContaining("spec.output.storageClassName");
    assertThatThrownBy(
            () -> createJob(withOutput("escape", "uri: s3://distillery-out/r\n    path: '../x'")))
        .hasMessageContaining("spec.output.path");
  }

  @ParameterizedTest(name = "output.uri {0}")
  @ValueSource(
      strings = {
        "s3://ab/runs",
        "s3://Distillery/runs",
        "s3://-distillery/runs",
        "s3://distillery-/runs",
        "s3://distillery_out/runs",
        "s3://"
            + "b123456789"
            + "b123456789"
            + "b123456789"
            + "b123456789"
            + "b123456789"
            + "b123456789"
            + "b123/runs",
        "gs://distillery-out/runs",
        "s3://distillery-out/runs with space"
      })
  void aBadOutputUriIsRefusedNamingTheField(String uri) {
    assertThatThrownBy(() -> createJob(withOutput("bad", "uri: '" + uri + "'")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.output.uri");
  }

  @ParameterizedTest(name = "output.uri {0}")
  @ValueSource(strings = {"s3://my..bucket/runs", "s3://192.168.10.5/runs"})
  void bucketNamesWithDoubleDotsOrInIpFormAreRefusedByTheCelRule(String uri) {
    assertThatThrownBy(() -> createJob(withOutput("bad", "uri: '" + uri + "'")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.output.uri")
        .hasMessageContaining("must not contain '..' or be an IP address");
  }

  @Test
  void aBadCredentialsSecretNameIsRefused() {
    assertThatThrownBy(
            () ->
                createJob(
                    Manifests.distillationJob("bad-secret", "s3: {credentialsSecret: S3_Creds}")))
        .hasMessageContaining("spec.s3.credentialsSecret");
  }

  @Test
  void aStudentDeploymentServesAnS3ModelWithItsDigest() {
    var created =
        createStudent(
            "s3-model",
            "source: {modelUri: 's3://models/shapes/student-mdt', digest: '"
                + DIGEST
                + "'}\ns3: {credentialsSecret: s3-creds}");
    assertThat(created.<String>get("spec", "source", "modelUri"))
        .isEqualTo("s3://models/shapes/student-mdt");
    createStudent(
        "s3-pair",
        "source:\n  modelUri: 'pvc://artifacts/structure'\n  digest: '"
            + DIGEST
            + "'\n  appearance: {modelUri: 's3://models/appearance', digest: '"
            + DIGEST
            + "'}");
    assertThatThrownBy(
            () -> createStudent("no-digest", "source: {modelUri: 's3://models/shapes/student'}"))
        .hasMessageContaining("source.digest: required with modelUri");
    assertThatThrownBy(
            () ->
                createStudent(
                    "bad-bucket", "source: {modelUri: 's3://Models/x', digest: '" + DIGEST + "'}"))
        .hasMessageContaining("spec.source.modelUri");
  }

  private static String withOutput(String name, String output) {
    return Manifests.distillationJob(name, "").replace("claimName: artifacts", output);
  }

  private static GenericKubernetesResource createJob(String yaml) {
    return Manifests.untyped(client)
        .inNamespace(ns)
        .resource(Manifests.parse(client, yaml))
        .create();
  }

  private static GenericKubernetesResource createStudent(String name, String spec) {
    String yaml =
        """
        apiVersion: distillery.io/v1alpha1
        kind: StudentDeployment
        metadata:
          name: %s
        spec:
        %s
        """
            .formatted(name, spec.indent(2));
    return Manifests.untypedStudentDeployments(client)
        .inNamespace(ns)
        .resource(Manifests.parse(client, yaml))
        .create();
  }
}
