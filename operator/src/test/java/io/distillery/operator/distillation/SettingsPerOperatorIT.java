package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two operators with different settings in one JVM, each watching its own namespace: each one's
 * trainer Jobs run its own image and GPU resource name (settings are injected, not a global).
 */
class SettingsPerOperatorIT {

  @Test
  void eachOperatorBuildsItsJobsWithItsOwnSettings() {
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String nsA = api.newNamespace("settings-a");
      String nsB = api.newNamespace("settings-b");
      OperatorSettings a = with(OperatorHarness.fastSettings(), "registry.a/mdt:1", "a.io/gpu");
      OperatorSettings b = with(OperatorHarness.fastSettings(), "registry.b/mdt:2", "b.io/gpu");
      try (OperatorHarness first = OperatorHarness.start(client, a, Metrics.NOOP, nsA);
          OperatorHarness second = OperatorHarness.start(client, b, Metrics.NOOP, nsB)) {
        for (String ns : new String[] {nsA, nsB}) {
          client
              .persistentVolumeClaims()
              .inNamespace(ns)
              .resource(Storage.claim("artifacts", "1Gi"))
              .create();
          Manifests.untyped(client)
              .inNamespace(ns)
              .resource(
                  Manifests.parse(client, Manifests.distillationJob("dj", "resources: {gpus: 1}")))
              .create();
        }
        assertBuiltWith(client, nsA, a);
        assertBuiltWith(client, nsB, b);
      }
    }
  }

  private static void assertBuiltWith(KubernetesClient client, String ns, OperatorSettings s) {
    Job job =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.batch().v1().jobs().inNamespace(ns).withName("dj").get(),
                j -> j != null);
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(s.trainerImage());
    assertThat(container.getResources().getLimits()).containsKey(s.gpuResourceName());
  }

  private static OperatorSettings with(OperatorSettings s, String image, String gpuResource) {
    return new OperatorSettings(
        image,
        s.imagePullPolicy(),
        gpuResource,
        s.progressInterval(),
        s.progressTimeout(),
        s.staleAfter(),
        s.retryMin(),
        s.retryMax());
  }
}
