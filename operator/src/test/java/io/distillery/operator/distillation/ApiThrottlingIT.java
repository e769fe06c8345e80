package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.ThrottledRequests;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.PrometheusText;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An API server that throttles the operator (max-in-flight limits of 1, priority and fairness off,
 * so excess requests are answered 429 at once): the throttling shows in the operator's metric
 * {@value ThrottledRequests#METRIC} and every job still gets its Job and a status, because the
 * client retries a 429 after the server's Retry-After.
 */
class ApiThrottlingIT {
  private static final int JOBS = 60;

  @Test
  void throttlingShowsInTheMetricsAndEveryJobSettles() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ThrottledRequests throttled = new ThrottledRequests(registry);
    List<String> throttling =
        List.of(
            "--enable-priority-and-fairness=false",
            "--max-requests-inflight=1",
            "--max-mutating-requests-inflight=1");
    try (TestApiServer api = TestApiServer.start(throttling)) {
      KubernetesClient client = api.client();
      // The server never throttles system:masters (the admin's kubeconfig): the operator acts as
      // a user of its own, bound to cluster-admin.
      client
          .rbac()
          .clusterRoleBindings()
          .resource(
              new ClusterRoleBindingBuilder()
                  .withNewMetadata()
                  .withName("throttled-operator")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                  .addNewSubject()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("User")
                  .withName("throttled-operator")
                  .endSubject()
                  .build())
          .create();
      Config config = Config.fromKubeconfig(api.kubeConfigYaml());
      config.setImpersonateUsername("throttled-operator");
      config.setImpersonateGroups("system:authenticated");
      try (KubernetesClient operatorClient =
          new KubernetesClientBuilder()
              .withConfig(config)
              .withHttpClientBuilderConsumer(
                  b -> b.addOrReplaceInterceptor(ThrottledRequests.NAME, throttled))
              .build()) {
        runJobs(api, client, operatorClient, registry, throttled);
      }
    }
  }

  private static void runJobs(
      TestApiServer api,
      KubernetesClient client,
      KubernetesClient operatorClient,
      PrometheusMeterRegistry registry,
      ThrottledRequests throttled)
      throws Exception {
    String ns = api.newNamespace("throttled");
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .resource(Storage.claim("artifacts", "1Gi"))
        .create();
    try (OperatorHarness operator =
        OperatorHarness.start(operatorClient, OperatorHarness.fastSettings(), Metrics.NOOP, ns)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int i = 0; i < JOBS; i++) {
        String name = "throttled-" + i;
        pool.submit(
            () ->
                Manifests.untyped(client)
                    .inNamespace(ns)
                    .resource(Manifests.parse(client, Manifests.distillationJob(name, "")))
                    .create());
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();

      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> settled(client, ns) == JOBS);

      double count = throttled.count();
      System.out.printf("throttled requests of the operator: %.0f%n", count);
      assertThat(count).as("429 answers counted").isPositive();
      double scraped =
          PrometheusText.parse(registry.scrape()).samples().stream()
              .filter(s -> s.name().equals("distillery_api_throttled_requests_total"))
              .mapToDouble(s -> s.value())
              .sum();
      assertThat(scraped).as("the scraped counter").isEqualTo(count);
    }
  }

  private static long settled(KubernetesClient client, String ns) {
    long withStatus =
        client.resources(DistillationJob.class).inNamespace(ns).list().getItems().stream()
            .filter(dj -> dj.getStatus() != null && dj.getStatus().phase != null)
            .count();
    long jobs = client.batch().v1().jobs().inNamespace(ns).list().getItems().size();
    return Math.min(withStatus, jobs);
  }
}
