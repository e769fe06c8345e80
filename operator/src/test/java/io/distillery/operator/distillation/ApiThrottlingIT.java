package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.RateLimitedRequests;
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
 * client retries a 429 after the server's Retry-After. And the operator's own, client-side, limit
 * ({@link RateLimitedRequests}) set low: its waits show in {@value RateLimitedRequests#WAITED} and
 * every job still settles.
 */
class ApiThrottlingIT {
  private static final int JOBS = 60;
  private static final int LIMITED_JOBS = 30;

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
        runJobs(api, client, operatorClient, "throttled", JOBS);
      }
    }
    double count = throttled.count();
    System.out.printf("throttled requests of the operator: %.0f%n", count);
    assertThat(count).as("429 answers counted").isPositive();
    assertThat(scraped(registry, "distillery_api_throttled_requests_total"))
        .as("the scraped counter")
        .isEqualTo(count);
  }

  @Test
  void theOperatorsOwnLowLimitShowsInTheMetricsAndEveryJobSettles() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // 5 requests per second after a burst of 5: the ~4 requests of each of 30 new jobs take ~25 s.
    RateLimitedRequests limited = new RateLimitedRequests(5, 5, registry);
    try (TestApiServer api = TestApiServer.start();
        KubernetesClient operatorClient =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(api.kubeConfigYaml()))
                .withHttpClientBuilderConsumer(
                    b -> b.addOrReplaceInterceptor(RateLimitedRequests.NAME, limited))
                .build()) {
      runJobs(api, api.client(), operatorClient, "limited", LIMITED_JOBS);
    }
    System.out.printf(
        "requests that waited for the operator's limit: %.0f, %.1f s in all%n",
        limited.delayedCount(), limited.waitedSeconds());
    assertThat(limited.delayedCount()).as("requests that waited").isPositive();
    assertThat(scraped(registry, "distillery_api_rate_limited_requests_total"))
        .isEqualTo(limited.delayedCount());
    assertThat(scraped(registry, "distillery_api_rate_limited_seconds_total"))
        .as("seconds waited")
        .isPositive()
        .isEqualTo(limited.waitedSeconds());
  }

  private static double scraped(PrometheusMeterRegistry registry, String name) {
    return PrometheusText.parse(registry.scrape()).samples().stream()
        .filter(s -> s.name().equals(name))
        .mapToDouble(s -> s.value())
        .sum();
  }

  private static void runJobs(
      TestApiServer api,
      KubernetesClient client,
      KubernetesClient operatorClient,
      String prefix,
      int jobs)
      throws Exception {
    String ns = api.newNamespace(prefix);
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .resource(Storage.claim("artifacts", "1Gi"))
        .create();
    try (OperatorHarness operator =
        OperatorHarness.start(operatorClient, OperatorHarness.fastSettings(), Metrics.NOOP, ns)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int i = 0; i < jobs; i++) {
        String name = prefix + "-" + i;
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
          .until(() -> settled(client, ns) == jobs);
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
