package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.ReconcileMetrics;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.PrometheusText;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * JOSDK's metrics as the operator records them ({@link ReconcileMetrics}) on a real API server: the
 * series are the same for N and 10N DistillationJobs, none names a job or its namespace, and
 * deleting the jobs leaves nothing of them. The 5,000-job scrape under the chart's memory limit is
 * measured by {@code ScaleBenchmark} (BENCHMARKS.md).
 */
class MetricSeriesIT {
  private static final int N = 20;

  @Test
  void seriesDoNotGrowWithJobsAndNothingOfAJobOutlivesIt() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(ReconcileMetrics.executionTimersAsHistograms());
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("series");
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      try (OperatorHarness operator =
          OperatorHarness.start(
              client, OperatorHarness.fastSettings(), ReconcileMetrics.josdk(registry), ns)) {
        createAndSettle(client, ns, 0, N);
        Set<String> few = series(registry);
        createAndSettle(client, ns, N, 10 * N);
        Set<String> many = series(registry);
        assertThat(many).as("series with %d jobs vs %d", 10 * N, N).isEqualTo(few);
        assertThat(many)
            .as("no series names a job or its namespace")
            .noneMatch(s -> s.contains("series-job-") || s.contains(ns));

        client.resources(DistillationJob.class).inNamespace(ns).delete();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> client.resources(DistillationJob.class).inNamespace(ns).list().getItems(),
                java.util.List::isEmpty);
        // The deletes reach the operator's informer a moment later.
        TimeUnit.SECONDS.sleep(2);
        Set<String> after = series(registry);
        assertThat(after)
            .as("nothing per job is left after deletion")
            .noneMatch(s -> s.contains("series-job-") || s.contains(ns));
        assertThat(after.size()).isLessThanOrEqualTo(few.size() + 2);
      }
    }
  }

  private static void createAndSettle(KubernetesClient client, String ns, int from, int to)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = from; i < to; i++) {
      String name = "series-job-" + i;
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
        .until(
            () ->
                client.batch().v1().jobs().inNamespace(ns).list().getItems().size() == to
                    && client
                        .resources(DistillationJob.class)
                        .inNamespace(ns)
                        .list()
                        .getItems()
                        .stream()
                        .allMatch(dj -> dj.getStatus() != null && dj.getStatus().phase != null));
    // Let the reconciles the status writes trigger finish.
    TimeUnit.SECONDS.sleep(3);
  }

  /** The scrape's series (name and labels, no values), read by the strict parser. */
  private static Set<String> series(PrometheusMeterRegistry registry) {
    Set<String> series = new TreeSet<>();
    for (PrometheusText.Sample s : PrometheusText.parse(registry.scrape()).samples()) {
      if (s.name().startsWith("operator_sdk_")) {
        series.add(s.series());
      }
    }
    return series;
  }
}
