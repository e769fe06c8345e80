package io.distillery.operator.distillation;

import static io.distillery.operator.testing.fixtures.Statuses.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.Statuses;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DistillationJob writing to object storage, with both controllers in-process against a real
 * kube-apiserver (the job controller and kubelet played by {@link ClusterSimulator}): no claim, the
 * trainer config's output.uri, CredentialsMissing while the Secret is absent, StorageUnavailable on
 * exit 6, and a succeeded job's {@code s3://} student served through a fetch init container.
 */
class ObjectStorageJobIT {
  static final String S3_SPEC =
      "s3: {credentialsSecret: s3-creds}\n"
          + "teacher: {uri: 's3://distillery-models/teachers/shapes'}";
  static TestApiServer api;
  static KubernetesClient client;
  static OperatorHarness jobs;
  static OperatorHarness students;
  static ClusterSimulator sim;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    jobs = OperatorHarness.start(client);
    students = OperatorHarness.startStudentDeployments(client);
    sim = new ClusterSimulator(client);
    await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (students != null) students.close();
    if (jobs != null) jobs.close();
    if (api != null) api.close();
  }

  @Test
  void credentialsMissingThenStorageUnavailableWithoutAnyClaim() {
    String ns = api.newNamespace("s3-fail");
    apply(ns, s3Job("to-s3"));
    Job job = await().until(() -> job(ns, "to-s3"), j -> j != null);
    assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems()).isEmpty();
    assertThat(job.getSpec().getTemplate().getSpec().getVolumes())
        .allSatisfy(v -> assertThat(v.getPersistentVolumeClaim()).isNull());
    assertThat(
            client
                .configMaps()
                .inNamespace(ns)
                .withName("to-s3-trainer-config")
                .get()
                .getData()
                .get("trainer.yaml"))
        .contains("uri: \"s3://distillery-out/runs/to-s3\"")
        .contains("uri: \"s3://distillery-models/teachers/shapes\"");

    Pod pod = sim.createPod(job, "to-s3-a1");
    sim.podStatus(
        pod, Statuses.waiting("CreateContainerConfigError", "secret \"s3-creds\" not found"));
    await().until(() -> reason(ns, "to-s3"), DistillationConditions.CREDENTIALS_MISSING::equals);
    assertThat(message(ns, "to-s3", DistillationConditions.PROGRESSING))
        .contains("credentials Secret s3-creds");

    String line = "s3://distillery-out/runs/to-s3: endpoint http://seaweedfs:8333 unreachable";
    sim.podStatus(pod, Statuses.terminated("Failed", 6, "Error", line));
    sim.jobStatus(
        job,
        0,
        0,
        1,
        condition("FailureTarget", "PodFailurePolicy", "exit code 6"),
        condition("Failed", "PodFailurePolicy", "exit code 6"));
    await().until(() -> get(ns, "to-s3").getStatus().phase, p -> p == Phase.Failed);
    var failed =
        Conditions.find(get(ns, "to-s3").getStatus().conditions, DistillationConditions.FAILED)
            .orElseThrow();
    assertThat(failed.getReason()).isEqualTo(DistillationConditions.STORAGE_UNAVAILABLE);
    assertThat(failed.getMessage()).contains("exit code 6").contains(line);
  }

  @Test
  void aSucceededJobsS3StudentIsServedThroughAFetchInitContainer() {
    String ns = api.newNamespace("s3-serve");
    apply(ns, s3Job("shapes"));
    Job job = await().until(() -> job(ns, "shapes"), j -> j != null);
    Pod pod = sim.createPod(job, "shapes-a1");
    String artifact = "s3://distillery-out/runs/shapes/student-mdt";
    String digest = "sha256:" + "cd".repeat(32);
    sim.podStatus(
        pod,
        Statuses.terminated(
            "Succeeded",
            0,
            "Completed",
            "{\"status\":\"succeeded\",\"exitCode\":0,\"artifact\":\""
                + artifact
                + "\",\"digest\":\""
                + digest
                + "\",\"gate\":{\"passed\":true}}"));
    await().until(() -> get(ns, "shapes").getStatus().phase, p -> p == Phase.Succeeded);
    assertThat(get(ns, "shapes").getStatus().result.artifact).isEqualTo(artifact);

    Manifests.untypedStudentDeployments(client)
        .inNamespace(ns)
        .resource(
            Manifests.parse(
                client,
                """
                apiVersion: distillery.io/v1alpha1
                kind: StudentDeployment
                metadata:
                  name: shapes
                spec:
                  source: {distillationJobRef: shapes}
                  s3: {credentialsSecret: s3-creds}
                """))
        .create();
    Deployment d =
        await()
            .until(
                () -> client.apps().deployments().inNamespace(ns).withName("shapes").get(),
                x -> x != null);
    var spec = d.getSpec().getTemplate().getSpec();
    assertThat(spec.getInitContainers()).hasSize(1);
    assertThat(spec.getInitContainers().get(0).getArgs())
        .containsSubsequence("fetch", "--uri", artifact, "--digest", digest);
    assertThat(spec.getContainers().get(0).getArgs())
        .containsSubsequence("--model", "/models/structure");
  }

  private static String s3Job(String name) {
    return Manifests.distillationJob(name, S3_SPEC)
        .replace("  teacher:\n    uri: builtin:shipped\n", "")
        .replace("claimName: artifacts", "uri: s3://distillery-out/runs");
  }

  static void apply(String ns, String yaml) {
    Manifests.untyped(client).inNamespace(ns).resource(Manifests.parse(client, yaml)).create();
  }

  static DistillationJob get(String ns, String name) {
    return client.resources(DistillationJob.class).inNamespace(ns).withName(name).get();
  }

  static Job job(String ns, String name) {
    return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  static String reason(String ns, String name) {
    DistillationJob dj = get(ns, name);
    return dj.getStatus() == null
        ? null
        : Conditions.reason(dj.getStatus().conditions, DistillationConditions.PROGRESSING);
  }

  static String message(String ns, String name, String type) {
    return Conditions.find(get(ns, name).getStatus().conditions, type).orElseThrow().getMessage();
  }
}
