package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.common.RateLimitedRequests;
import io.distillery.operator.common.ReconcileMetrics;
import io.distillery.operator.common.ThrottledRequests;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.PrometheusText;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Scale benchmark (issue 5 item 6), a command and not a timed test: creates N DistillationJobs at
 * once on a real API server with the operator in-process, and writes to target/scale-benchmark.md
 * the time until every one has its Job and a status (from the first and from the last create),
 * reconciles per second, API requests per job (by verb), requests while settled, 429 answers, the
 * live heap after a forced GC before and after (its growth per 1,000 jobs), peak heap, resident
 * memory and the size of a scrape of the operator's JOSDK metrics. Run with:
 *
 * <pre>
 * ./mvnw -B -pl operator test-compile failsafe:integration-test -Dit.test=ScaleBenchmark \
 *     -DargLine=-Xmx384m [-Dscale.jobs=2000] [-Dscale.clientThreads=32] [-Dscale.reconcileThreads=50] \
 *     [-Dscale.apiQps=200 -Dscale.apiBurst=100]
 * </pre>
 *
 * <p>{@code scale.apiQps} and {@code scale.apiBurst} are the operator's client-side limit ({@link
 * RateLimitedRequests}, the chart's {@code scale.apiQps} / {@code scale.apiBurst}, whose defaults
 * they have); 0 is no limit.
 */
class ScaleBenchmark {
  private static final long MIB = 1024 * 1024;

  @Test
  void createManyJobsAtOnce() throws Exception {
    int n = Integer.getInteger("scale.jobs", 2000);
    int clientThreads = Integer.getInteger("scale.clientThreads", 32);
    int reconcileThreads =
        Integer.getInteger("scale.reconcileThreads", OperatorHarness.DEFAULT_THREADS);
    double apiQps = Double.parseDouble(System.getProperty("scale.apiQps", "200"));
    int apiBurst = Integer.getInteger("scale.apiBurst", 100);
    Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    // The operator's own JOSDK metrics (ReconcileMetrics), scraped once settled.
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(ReconcileMetrics.executionTimersAsHistograms());
    Metrics metrics = ReconcileMetrics.josdk(registry);
    ThrottledRequests throttled = new ThrottledRequests(registry);
    RateLimitedRequests limited = new RateLimitedRequests(apiQps, apiBurst, registry);
    try (TestApiServer api = TestApiServer.start();
        KubernetesClient operatorClient = countingClient(api, requests, throttled, limited)) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("scale");
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      OperatorSettings settings = OperatorSettings.defaults();
      try (OperatorHarness operator =
          OperatorHarness.start(operatorClient, settings, metrics, reconcileThreads)) {
        long liveBefore = liveHeap();
        requests.clear();
        double reconcilesBefore = reconciles(registry);
        Instant t0 = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(clientThreads);
        for (int i = 0; i < n; i++) {
          String name = "scale-" + i;
          pool.submit(
              () ->
                  Manifests.untyped(client)
                      .inNamespace(ns)
                      .resource(Manifests.parse(client, Manifests.distillationJob(name, "")))
                      .create());
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        Duration created = Duration.between(t0, Instant.now());
        Duration settled = null;
        while (Duration.between(t0, Instant.now()).toMinutes() < 15) {
          long withStatus =
              client.resources(DistillationJob.class).inNamespace(ns).list().getItems().stream()
                  .filter(dj -> dj.getStatus() != null && dj.getStatus().phase != null)
                  .count();
          long jobs = client.batch().v1().jobs().inNamespace(ns).list().getItems().size();
          if (withStatus == n && jobs == n) {
            settled = Duration.between(t0, Instant.now());
            break;
          }
          TimeUnit.MILLISECONDS.sleep(500);
        }
        long reconcilesToSettle = Math.round(reconciles(registry) - reconcilesBefore);
        Map<String, Long> toSettle = snapshot(requests);
        requests.clear();
        TimeUnit.SECONDS.sleep(10);
        Map<String, Long> idle = snapshot(requests);
        long idleWrites =
            idle.entrySet().stream()
                .filter(e -> !e.getKey().equals("GET"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        long liveAfter = liveHeap();
        double livePerThousand = (liveAfter - liveBefore) * 1000.0 / n / MIB;
        long scrapeStart = System.nanoTime();
        String scrape = registry.scrape();
        double scrapeMillis = (System.nanoTime() - scrapeStart) / 1e6;
        long series = PrometheusText.parse(scrape).samples().size();
        long peakHeap =
            ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
        long maxHeap = Runtime.getRuntime().maxMemory();
        double seconds = settled == null ? Double.NaN : settled.toMillis() / 1000.0;
        double afterLastCreate = seconds - created.toMillis() / 1000.0;
        long total = toSettle.values().stream().mapToLong(Long::longValue).sum();
        String report =
            """
            # DistillationJob scale benchmark

            - date: %s; machine: %d CPU cores visible to the JVM; JVM max heap %d MiB
            - jobs created at once: %d (%d client threads; creation took %.1f s)
            - operator reconcile threads: %d; client-side limit: %s
            - time until every job had its Job and a status: %s after the first create, %.1f s \
            after the last
            - reconciles until settled: %d (%.1f per second)
            - operator API requests until settled: %d (%.2f per job), by verb: %s
            - in the 10 s after settling: requests by verb %s, writes %d
            - API requests answered 429 (throttled): %.0f
            - requests that waited for the client-side limit: %.0f, %.1f s in all
            - live heap after a forced GC: %d MiB before the jobs, %d MiB once settled \
            (%.1f MiB per 1,000 jobs)
            - peak heap of the JVM (operator and the test's own client): %d MiB; resident %s
            - scrape of the operator's registry once settled: %d series, %d bytes, %.1f ms
            """
                .formatted(
                    Instant.now(),
                    Runtime.getRuntime().availableProcessors(),
                    maxHeap / MIB,
                    n,
                    clientThreads,
                    created.toMillis() / 1000.0,
                    reconcileThreads,
                    apiQps == 0 ? "none" : "%s per second, burst %d".formatted(apiQps, apiBurst),
                    settled == null ? "not settled within 15 min" : "%.1f s".formatted(seconds),
                    afterLastCreate,
                    reconcilesToSettle,
                    reconcilesToSettle / seconds,
                    total,
                    (double) total / n,
                    toSettle,
                    idle,
                    idleWrites,
                    throttled.count(),
                    limited.delayedCount(),
                    limited.waitedSeconds(),
                    liveBefore / MIB,
                    liveAfter / MIB,
                    livePerThousand,
                    peakHeap / MIB,
                    resident(),
                    series,
                    scrape.length(),
                    scrapeMillis);
        Files.writeString(Path.of("target", "scale-benchmark.md"), report);
        System.out.println(report);
      }
    }
  }

  /** Heap in use after a full collection: what the operator really keeps. */
  private static long liveHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** VmRSS of this JVM (Linux), or "unknown". */
  private static String resident() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("VmRSS:"))
          .map(l -> l.substring("VmRSS:".length()).trim())
          .findFirst()
          .orElse("unknown");
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static double reconciles(PrometheusMeterRegistry registry) {
    return registry.find("operator.sdk.reconciliations.success").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
    Map<String, Long> copy = new java.util.TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** A client for the operator that counts its requests by HTTP verb, limited as configured. */
  private static KubernetesClient countingClient(
      TestApiServer api,
      Map<String, AtomicLong> requests,
      ThrottledRequests throttled,
      RateLimitedRequests limited) {
    Interceptor counter =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            requests.computeIfAbsent(request.method(), k -> new AtomicLong()).incrementAndGet();
          }
        };
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(api.kubeConfigYaml()))
        .withHttpClientBuilderConsumer(
            b ->
                b.addOrReplaceInterceptor("count", counter)
                    .addOrReplaceInterceptor(RateLimitedRequests.NAME, limited)
                    .addOrReplaceInterceptor(ThrottledRequests.NAME, throttled))
        .build();
  }
}
