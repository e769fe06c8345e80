package io.distillery.mdt.serve;

import static io.distillery.mdt.serve.GenerationServerTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that makes empty shapes (a collapsed 1-step student) is answered 200, and the response,
 * the metrics and the log say how many samples were empty.
 */
class EmptySamplesTest {
  @TempDir static Path tmp;
  static GenerationServer empty;
  static GenerationServer full;

  @BeforeAll
  static void start() throws Exception {
    Path teacher = TinyModels.teacher(tmp.resolve("t"), 2);
    ServeOptions o = ServeOptions.loopback();
    empty = GenerationServer.start(TinyModels.constantStudent(teacher, tmp.resolve("e"), -1f), o);
    full = GenerationServer.start(TinyModels.constantStudent(teacher, tmp.resolve("f"), 1f), o);
  }

  @AfterAll
  static void stop() {
    for (GenerationServer s : new GenerationServer[] {empty, full}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  void emptyShapesAreCountedInTheResponseAndTheMetrics() throws Exception {
    Http h = new Http(empty.baseUri());
    HttpResponse<byte[]> voxels =
        h.generate("{\"class\":\"box\",\"format\":\"voxels\",\"count\":3}");
    assertThat(voxels.statusCode()).isEqualTo(200);
    assertThat(voxels.headers().firstValue("X-Empty-Samples")).hasValue("3");
    assertThat(Http.json(voxels).path("emptySamples").asInt()).isEqualTo(3);
    for (String format : new String[] {"ply", "obj", "png", "npz"}) {
      HttpResponse<byte[]> r =
          h.generate("{\"class\":\"box\",\"format\":\"" + format + "\",\"count\":2}");
      assertThat(r.statusCode()).as(format).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Empty-Samples")).as(format).hasValue("2");
    }
    assertThat(metric(Http.text(h.get("/metrics")), "mdt_serve_empty_samples_total{steps=\"1\"}"))
        .isEqualTo(3 + 4 * 2);
  }

  @Test
  void fullShapesSayNoneIsEmpty() throws Exception {
    Http h = new Http(full.baseUri());
    HttpResponse<byte[]> r = h.generate("{\"class\":\"box\",\"format\":\"voxels\",\"count\":2}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Empty-Samples")).hasValue("0");
    assertThat(Http.json(r).path("emptySamples").asInt()).isZero();
    assertThat(Http.json(r).path("samples").get(0).path("filled").asInt()).isEqualTo(16 * 16 * 16);
    assertThat(Http.text(h.get("/metrics"))).doesNotContain("mdt_serve_empty_samples_total{");
  }

  @Test
  void theWarningIsLoggedAtOnceThenAtMostOncePerInterval() {
    AtomicLong now = new AtomicLong(0);
    EmptySamples e = new EmptySamples(now::get);
    assertThat(e.record(0, 4, 1)).isNull();
    assertThat(e.record(2, 2, 1)).startsWith("2 of 6 generated samples so far were empty");
    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    assertThat(e.record(1, 1, 1)).isNull();
    assertThat(e.record(0, 3, 1)).isNull();
    now.addAndGet(TimeUnit.SECONDS.toNanos(31));
    assertThat(e.record(1, 1, 1)).startsWith("2 of 5 generated samples since the last warning");
  }

  @Test
  void countsOnlyOneChannelSamplesWithNothingAboveZero() {
    float[] emptyGrid = new float[8];
    java.util.Arrays.fill(emptyGrid, -1f);
    float[] oneVoxel = emptyGrid.clone();
    oneVoxel[5] = 0.01f;
    assertThat(EmptySamples.count(new float[][] {emptyGrid, oneVoxel, emptyGrid}, 1, 2))
        .isEqualTo(2);
    assertThat(EmptySamples.count(new float[][] {new float[16]}, 2, 2)).isEqualTo(-1);
  }
}
