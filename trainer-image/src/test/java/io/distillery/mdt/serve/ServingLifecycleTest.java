package io.distillery.mdt.serve;

import static io.distillery.mdt.serve.GenerationServerTest.assertError;
import static io.distillery.mdt.serve.GenerationServerTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness, batching, backpressure and graceful shutdown, over real HTTP on loopback. */
class ServingLifecycleTest {
  @TempDir static Path tmp;
  static Path teacherDir;
  static ExecutorService clients;

  @BeforeAll
  static void model() throws Exception {
    teacherDir = TinyModels.teacher(tmp.resolve("t"), 4);
    clients = Executors.newFixedThreadPool(16);
  }

  @AfterAll
  static void stopClients() {
    clients.shutdownNow();
  }

  @Test
  void notReadyBeforeLoadAndWarmUpReadyAfter() throws Exception {
    try (GenerationServer s = GenerationServer.listen(ServeOptions.loopback())) {
      Http h = new Http(s.baseUri());
      assertThat(h.get("/healthz").statusCode()).isEqualTo(200);
      HttpResponse<byte[]> notReady = h.get("/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(Http.json(notReady).path("status").asText()).isEqualTo("starting");
      HttpResponse<byte[]> early = h.generate("{\"class\":\"box\"}");
      assertError(early, 503, null, "not ready");
      assertThat(early.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(h.get("/v1/model").statusCode()).isEqualTo(503);
      assertThat(metric(Http.text(h.get("/metrics")), "mdt_serve_ready")).isZero();

      s.load(teacherDir);

      assertThat(h.get("/readyz").statusCode()).isEqualTo(200);
      assertThat(metric(Http.text(h.get("/metrics")), "mdt_serve_ready")).isEqualTo(1);
      assertThat(h.generate("{\"class\":\"box\",\"format\":\"voxels\"}").statusCode())
          .isEqualTo(200);
      // Warm-up batches are not client traffic.
      assertThat(metric(Http.text(h.get("/metrics")), "mdt_serve_batch_size_count")).isEqualTo(1);
    }
  }

  @Test
  void aCorruptArtifactFailsLoadingNamingTheFile(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("copy");
    copyTree(teacherDir, copy);
    java.nio.file.Files.write(copy.resolve("weights.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> GenerationServer.start(copy, ServeOptions.loopback()))
        .hasMessageContaining("weights.safetensors");
  }

  @Test
  void aFileDroppedIntoThePublishedArtifactStopsLoadingNamingIt(@TempDir Path dir)
      throws Exception {
    Path copy = dir.resolve("copy");
    copyTree(teacherDir, copy);
    java.nio.file.Files.writeString(copy.resolve("report.json"), "{\"rows\":[{\"fd\":0.0}]}");
    assertThatThrownBy(() -> GenerationServer.start(copy, ServeOptions.loopback()))
        .isInstanceOf(io.distillery.mdt.artifact.CorruptArtifactException.class)
        .hasMessageContaining("report.json is not listed");
  }

  @Test
  void concurrentRequestsAreServedInBatchesLargerThanOne() throws Exception {
    ServeOptions o = ServeOptions.loopback().withBatching(32, 100, 64);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      Http h = new Http(s.baseUri());
      List<HttpResponse<byte[]>> rs =
          concurrently(
              12, i -> h.generate("{\"class\":\"box\",\"format\":\"voxels\",\"seed\":" + i + "}"));
      int largest = 0;
      for (HttpResponse<byte[]> r : rs) {
        assertThat(r.statusCode()).isEqualTo(200);
        largest =
            Math.max(
                largest, Integer.parseInt(r.headers().firstValue("X-Batch-Size").orElseThrow()));
      }
      assertThat(largest).isGreaterThan(1);
      String m = Http.text(h.get("/metrics"));
      double batches = metric(m, "mdt_serve_batch_size_count");
      double samples = metric(m, "mdt_serve_batch_size_sum");
      assertThat(samples).isEqualTo(12);
      assertThat(batches).isLessThan(12);
      // Batching keeps results per seed: request 3 alone gives what it got inside a batch.
      HttpResponse<byte[]> alone =
          h.generate("{\"class\":\"box\",\"format\":\"voxels\",\"seed\":3}");
      assertThat(Http.json(alone)).isEqualTo(Http.json(rs.get(3)));
    }
  }

  /**
   * Overload: 40 clients at once, every output format, against a queue of 1 and batches of 1 with
   * 64 guided steps: each answer is 200 or 429 with Retry-After, nothing else, and none is counted
   * as a server error. The counts go to target/fault-reports/serving-overload.md.
   */
  @Test
  void anOverfullQueueAnswers429WithRetryAfterAndNothingElse() throws Exception {
    ServeOptions o = ServeOptions.loopback().withMaxCount(1).withBatching(1, 0, 1);
    AssetFormat[] formats = AssetFormat.values();
    int requests = 40;
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      Http h = new Http(s.baseUri());
      List<HttpResponse<byte[]>> rs =
          concurrently(
              requests,
              i ->
                  h.generate(
                      "{\"class\":\"box\",\"steps\":64,\"format\":\""
                          + formats[i % formats.length].wireName()
                          + "\"}"));
      int ok = 0;
      int rejected = 0;
      java.util.SortedMap<Integer, Integer> statuses = new java.util.TreeMap<>();
      for (HttpResponse<byte[]> r : rs) {
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() == 429) {
          rejected++;
          assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
          assertError(r, 429, null, "queue is full");
        } else if (r.statusCode() == 200) {
          ok++;
        }
      }
      String m = Http.text(h.get("/metrics"));
      double errors = metric(m, "mdt_serve_requests_total{outcome=\"error\",traffic=\"user\"}");
      double counted = metric(m, "mdt_serve_requests_total{outcome=\"rejected\",traffic=\"user\"}");
      FaultReport.write(
          "overload",
          "Serving: overload",
          String.format(
              java.util.Locale.ROOT,
              "%d concurrent requests (formats %s in turn, 64 steps, queue 1, batches of 1):"
                  + " 200: %d, 429: %d, anything else: %d (statuses %s);"
                  + " mdt_serve_requests_total: rejected %.0f, error %.0f.%n",
              requests,
              AssetFormat.names(),
              ok,
              rejected,
              requests - ok - rejected,
              statuses,
              counted,
              errors));
      assertThat(statuses.keySet()).isSubsetOf(200, 429);
      assertThat(ok).isPositive();
      assertThat(rejected).isPositive();
      assertThat(counted).isEqualTo(rejected);
      assertThat(errors).isZero();
      assertThat(h.generate("{\"class\":\"box\",\"format\":\"voxels\"}").statusCode())
          .isEqualTo(200);
    }
  }

  /**
   * 256 clients at once against a queue of 8 and batches of 1 at 64 guided steps: every answer is
   * 200 or 429 with Retry-After, none is a server error, and the queue (what holds memory per
   * request) never grows past its bound.
   */
  @Test
  void twoHundredFiftySixClientsBeyondCapacityGet429AndTheQueueStaysBounded() throws Exception {
    int queue = 8;
    int requests = 256;
    ServeOptions o = ServeOptions.loopback().withMaxCount(1).withBatching(1, 0, queue);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      java.net.http.HttpClient http =
          java.net.http.HttpClient.newBuilder()
              .executor(clients)
              .connectTimeout(java.time.Duration.ofSeconds(30))
              .build();
      List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(
            http.sendAsync(
                java.net.http.HttpRequest.newBuilder(s.baseUri().resolve("/v1/generate"))
                    .timeout(java.time.Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"class\":\"box\",\"steps\":64,\"format\":\"voxels\",\"seed\":"
                                + i
                                + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray()));
      }
      java.util.SortedMap<Integer, Integer> statuses = new java.util.TreeMap<>();
      for (CompletableFuture<HttpResponse<byte[]>> f : sent) {
        HttpResponse<byte[]> r = f.get();
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() == 429) {
          assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        }
      }
      assertThat(statuses.keySet()).isSubsetOf(200, 429);
      assertThat(statuses.get(429)).isPositive();
      assertThat(statuses.get(200)).isPositive();
      assertThat(s.metrics().peakQueueDepth()).isPositive().isLessThanOrEqualTo(queue);
      String m = Http.text(new Http(s.baseUri()).get("/metrics"));
      assertThat(metric(m, "mdt_serve_requests_total{outcome=\"error\",traffic=\"user\"}"))
          .isZero();
    }
  }

  @Test
  void shutdownStopsReadinessRefusesNewWorkAndFinishesEveryAcceptedRequest() throws Exception {
    ServeOptions o = ServeOptions.loopback().withBatching(4, 0, 32);
    GenerationServer s = GenerationServer.start(teacherDir, o);
    Http h = new Http(s.baseUri());
    List<Future<HttpResponse<byte[]>>> accepted = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      accepted.add(
          clients.submit(
              () ->
                  h.generate(
                      "{\"class\":\"cone\",\"steps\":64,\"count\":4,\"format\":\"voxels\"}")));
    }
    // Wait until the server has accepted all 8 (answered or in flight); the model runs them one
    // at a time, 64 guided steps of 4 samples each, so most are still queued when close() starts.
    long until = System.nanoTime() + 20_000_000_000L;
    while (s.inFlight() + answered(s) < 8 && System.nanoTime() < until) {
      Thread.sleep(2);
    }
    assertThat(s.inFlight() + answered(s)).isEqualTo(8);
    assertThat(s.inFlight()).isPositive();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    while (s.state() != GenerationServer.State.DRAINING) {
      Thread.sleep(1);
    }
    HttpResponse<byte[]> ready = h.get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(Http.json(ready).path("status").asText()).isEqualTo("draining");
    assertThat(h.get("/healthz").statusCode()).isEqualTo(200);
    assertError(h.generate("{\"class\":\"box\"}"), 503, null, "draining");
    assertThat(s.inFlight()).isPositive();

    for (Future<HttpResponse<byte[]>> f : accepted) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    closing.get();
    assertThat(s.state()).isEqualTo(GenerationServer.State.STOPPED);
    assertThatThrownBy(() -> h.get("/healthz")).isInstanceOf(IOException.class);
  }

  static int answered(GenerationServer s) {
    return (int)
        metric(s.metrics().scrape(), "mdt_serve_requests_total{outcome=\"ok\",traffic=\"user\"}");
  }

  interface Call {
    HttpResponse<byte[]> send(int i) throws Exception;
  }

  static List<HttpResponse<byte[]>> concurrently(int n, Call call) throws Exception {
    List<Future<HttpResponse<byte[]>>> fs = new ArrayList<>();
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int i = 0; i < n; i++) {
      int k = i;
      fs.add(
          clients.submit(
              () -> {
                go.await();
                return call.send(k);
              }));
    }
    go.countDown();
    List<HttpResponse<byte[]>> out = new ArrayList<>();
    for (Future<HttpResponse<byte[]>> f : fs) {
      out.add(f.get());
    }
    return out;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (var files = java.nio.file.Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        java.nio.file.Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
