package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deleting a namespace of DistillationJobs on a real API server. The test plays the namespace
 * controller (the test API server has none): the namespace is Terminating and the jobs' children go
 * first, as they may. The operator's attempts to recreate them are refused; it must leave the jobs'
 * status alone (no Retrying error, no phase change) and not retry.
 */
class NamespaceDeletionIT {
  @Test
  void jobsInATerminatingNamespaceAreLeftAlone() throws Exception {
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("doomed");
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      try (OperatorHarness operator = OperatorHarness.start(client)) {
        for (int i = 0; i < 3; i++) {
          Manifests.untyped(client)
              .inNamespace(ns)
              .resource(Manifests.parse(client, Manifests.distillationJob("doomed-" + i, "")))
              .create();
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == 3
                        && client
                            .resources(DistillationJob.class)
                            .inNamespace(ns)
                            .list()
                            .getItems()
                            .stream()
                            .allMatch(
                                dj -> dj.getStatus() != null && dj.getStatus().phase != null));
        TimeUnit.SECONDS.sleep(2);
        Map<String, String> before = statuses(client, ns);

        client.namespaces().withName(ns).delete();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    "Terminating"
                        .equals(client.namespaces().withName(ns).get().getStatus().getPhase()));
        client.batch().v1().jobs().inNamespace(ns).delete();
        client.configMaps().inNamespace(ns).delete();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty());
        // Long enough for the operator to see the deletions, fail to recreate and (before the fix)
        // record the failure and retry (retry.min is 1 s in the fast settings).
        TimeUnit.SECONDS.sleep(8);

        assertThat(statuses(client, ns))
            .as("the jobs' status while their namespace terminates")
            .isEqualTo(before);
        assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems())
            .as("nothing was recreated")
            .isEmpty();
      }
    }
  }

  private static Map<String, String> statuses(KubernetesClient client, String ns) {
    Map<String, String> statuses = new HashMap<>();
    for (DistillationJob dj :
        client.resources(DistillationJob.class).inNamespace(ns).list().getItems()) {
      statuses.put(
          dj.getMetadata().getName(), client.getKubernetesSerialization().asJson(dj.getStatus()));
    }
    return statuses;
  }
}
