package io.distillery.mdt.serve;

import static io.distillery.mdt.serve.GenerationServerTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.InvalidConfigException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several model replicas, each with its own batch queue, as {@code mdt serve} runs one per GPU:
 * here two on the CPU ({@code --replicas 2}), so the multi-queue path runs without a GPU.
 */
class ReplicaServingTest {
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
  void twoReplicasBothServeAndShowInTheMetricsByDevice() throws Exception {
    ServeOptions o = ServeOptions.loopback().withBatching(4, 0, 16).withReplicas(2);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      assertThat(s.replicaDevices()).containsExactly("cpu0", "cpu1");
      List<HttpResponse<byte[]>> rs =
          concurrently(
              8,
              i ->
                  new Http(s.baseUri())
                      .generate(
                          "{\"class\":\"box\",\"steps\":16,\"format\":\"voxels\",\"seed\":"
                              + i
                              + "}"));
      rs.forEach(r -> assertThat(r.statusCode()).isEqualTo(200));
      assertThat(s.metrics().batches("cpu0")).isPositive();
      assertThat(s.metrics().batches("cpu1")).isPositive();
      String m = Http.text(new Http(s.baseUri()).get("/metrics"));
      double cpu0 = metric(m, "mdt_serve_replica_samples_total{device=\"cpu0\"}");
      double cpu1 = metric(m, "mdt_serve_replica_samples_total{device=\"cpu1\"}");
      assertThat(cpu0 + cpu1).isEqualTo(8);
      assertThat(metric(m, "mdt_serve_batch_size_sum")).isEqualTo(8);
      // Same seed, same sample, whichever replica ran it.
      Http h = new Http(s.baseUri());
      String again = "{\"class\":\"box\",\"steps\":16,\"format\":\"voxels\",\"seed\":3}";
      assertThat(Http.json(h.generate(again))).isEqualTo(Http.json(rs.get(3)));
      assertThat(Http.json(h.generate(again))).isEqualTo(Http.json(rs.get(3)));
    }
  }

  @Test
  void sequentialRequestsOnIdleReplicasTakeTurns() throws Exception {
    ServeOptions o = ServeOptions.loopback().withBatching(4, 0, 16).withReplicas(2);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      Http h = new Http(s.baseUri());
      for (int i = 0; i < 4; i++) {
        assertThat(h.generate("{\"class\":\"box\",\"steps\":2}").statusCode()).isEqualTo(200);
      }
      assertThat(s.metrics().batches("cpu0")).isEqualTo(2);
      assertThat(s.metrics().batches("cpu1")).isEqualTo(2);
    }
  }

  /**
   * Queues of 1 with batches of 1 at 64 guided steps on two replicas: beyond the two running and
   * the two queued, requests get 429 with Retry-After, and no queue grows past its bound.
   */
  @Test
  void whenEveryQueueIsFullRequestsGet429AndEachQueueStaysBounded() throws Exception {
    ServeOptions o = ServeOptions.loopback().withMaxCount(1).withBatching(1, 0, 1).withReplicas(2);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      Http h = new Http(s.baseUri());
      List<HttpResponse<byte[]>> rs =
          concurrently(
              32, i -> h.generate("{\"class\":\"box\",\"steps\":64,\"format\":\"voxels\"}"));
      SortedMap<Integer, Integer> statuses = new TreeMap<>();
      for (HttpResponse<byte[]> r : rs) {
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() == 429) {
          assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        }
      }
      assertThat(statuses.keySet()).containsExactly(200, 429);
      // At least what two running plus two queued requests make: both queues took work.
      assertThat(statuses.get(200)).isGreaterThanOrEqualTo(4);
      assertThat(s.metrics().batches("cpu0")).isPositive();
      assertThat(s.metrics().batches("cpu1")).isPositive();
      assertThat(s.metrics().peakQueueDepth()).isEqualTo(1);
    }
  }

  @Test
  void defaultStepsApplyToEveryReplicaAndTheModelInfo() throws Exception {
    ServeOptions o = ServeOptions.loopback().withReplicas(2).withSteps(3);
    try (GenerationServer s = GenerationServer.start(teacherDir, o)) {
      Http h = new Http(s.baseUri());
      assertThat(Http.json(h.get("/v1/model")).path("steps").path("default").asInt()).isEqualTo(3);
      for (int i = 0; i < 2; i++) {
        HttpResponse<byte[]> r = h.generate("{\"class\":\"box\"}");
        assertThat(r.headers().firstValue("X-Steps")).hasValue("3");
      }
    }
  }

  @Test
  void gpuWithoutAVisibleGpuIsAConfigErrorNamingWhatWasFound() throws Exception {
    try (GenerationServer s = GenerationServer.listen(ServeOptions.loopback().withDevice("gpu"))) {
      assertThatThrownBy(() -> s.load(teacherDir))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("gpu")
          .hasMessageContaining("0 GPU(s) visible to libtorch 2.7.1")
          .hasMessageContaining("NVIDIA driver: ");
    }
  }

  @Test
  void aNegativeReplicaCountIsRefusedAndCpuReplicasAreLabelledByIndex() {
    assertThatThrownBy(() -> ServeOptions.loopback().withReplicas(-1))
        .hasMessageContaining("--replicas must not be negative");
    assertThat(ServingDevices.forReplicas("cpu", 0)).hasSize(1);
    assertThat(ServingDevices.labels(ServingDevices.forReplicas("cpu", 3)))
        .containsExactly("cpu0", "cpu1", "cpu2");
  }

  interface Call {
    HttpResponse<byte[]> send(int i) throws Exception;
  }

  static List<HttpResponse<byte[]>> concurrently(int n, Call call) throws Exception {
    List<Future<HttpResponse<byte[]>>> fs = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
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
}
