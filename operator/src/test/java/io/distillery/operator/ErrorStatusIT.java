package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.StatusRecorder;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that keeps failing shows on the resource: a ResourceQuota that allows no Job (or no
 * Deployment) makes the workflow's create fail on every attempt; the ReconcileError condition
 * carries the API server's refusal, and it goes once the quota is gone and a reconcile succeeds.
 */
class ErrorStatusIT {
  static TestApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
  }

  @AfterAll
  static void stop() {
    if (api != null) api.close();
  }

  @Test
  void aDistillationJobWhoseJobCannotBeCreatedSaysWhy() {
    String ns = api.newNamespace("error-job");
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .resource(Storage.claim("artifacts", "1Gi"))
        .create();
    ResourceQuota quota = noneOf(ns, "count/jobs.batch");
    try (OperatorHarness operator =
        OperatorHarness.start(client, OperatorHarness.fastSettings(), Metrics.NOOP, ns)) {
      Manifests.untyped(client)
          .inNamespace(ns)
          .resource(Manifests.parse(client, Manifests.distillationJob("dj", "")))
          .create();
      Supplier<List<Condition>> conditions =
          () -> {
            var dj = client.resources(DistillationJob.class).inNamespace(ns).withName("dj").get();
            return dj.getStatus() == null ? null : dj.getStatus().conditions;
          };
      assertErrorShownThenCleared(conditions, quota, "trainer-job");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.batch().v1().jobs().inNamespace(ns).withName("dj").get() != null);
    }
  }

  @Test
  void aStudentDeploymentWhoseDeploymentCannotBeCreatedSaysWhy() {
    String ns = api.newNamespace("error-student");
    ResourceQuota quota = noneOf(ns, "count/deployments.apps");
    try (OperatorHarness operator =
        OperatorHarness.startStudentDeployments(
            client, OperatorHarness.fastSettings(), Metrics.NOOP, ns)) {
      StudentDeployment sd = Fixtures.studentDeployment("serving", Fixtures.digest('a'));
      sd.getMetadata().setNamespace(ns);
      sd.getMetadata().setUid(null);
      sd.getMetadata().setGeneration(null);
      client.resource(sd).create();
      Supplier<List<Condition>> conditions =
          () -> {
            var s =
                client.resources(StudentDeployment.class).inNamespace(ns).withName("serving").get();
            return s.getStatus() == null ? null : s.getStatus().conditions;
          };
      assertErrorShownThenCleared(conditions, quota, "stable");
    }
  }

  private static void assertErrorShownThenCleared(
      Supplier<List<Condition>> conditions, ResourceQuota quota, String dependent) {
    Condition error =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    Optional.ofNullable(conditions.get())
                        .flatMap(c -> Conditions.find(c, StatusRecorder.ERROR))
                        .orElse(null),
                c -> c != null);
    System.out.printf("ReconcileError message: %s%n", error.getMessage());
    assertThat(error.getStatus()).isEqualTo("True");
    assertThat(error.getReason()).isEqualTo(StatusRecorder.ERROR_REASON);
    assertThat(error.getMessage())
        .startsWith(dependent + ": ")
        .contains("forbidden: exceeded quota");

    client.resource(quota).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> conditions.get(),
            c -> c != null && !c.isEmpty() && Conditions.find(c, StatusRecorder.ERROR).isEmpty());
  }

  /**
   * A quota of zero for {@code resource}: the API server refuses every create of it. Admission
   * reads the quota's status, which no controller fills in here, so the test writes it.
   */
  private static ResourceQuota noneOf(String ns, String resource) {
    ResourceQuota quota =
        client
            .resource(
                new ResourceQuotaBuilder()
                    .withNewMetadata()
                    .withName("none")
                    .withNamespace(ns)
                    .endMetadata()
                    .withNewSpec()
                    .addToHard(resource, new Quantity("0"))
                    .endSpec()
                    .build())
            .create();
    quota.setStatus(
        new ResourceQuotaStatusBuilder()
            .addToHard(resource, new Quantity("0"))
            .addToUsed(resource, new Quantity("0"))
            .build());
    return client.resource(quota).updateStatus();
  }
}
