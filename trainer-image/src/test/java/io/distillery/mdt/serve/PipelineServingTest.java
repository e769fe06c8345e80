package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.cli.Mdt;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.TinyPipelines;
import io.distillery.mdt.model.UnsupportedArtifactException;
import io.distillery.mdt.sampling.SampleShapes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt serve} on a two-stage pipeline, over real HTTP: coloured assets, both stages in the
 * model info, the same shape as {@code mdt sample}, empty structures, steps per stage, and an
 * appearance model alone refused.
 */
class PipelineServingTest {
  @TempDir static Path tmp;
  static Artifact structure;
  static Artifact appearance;
  static Artifact pipeline;
  static GenerationServer server;
  static Http http;

  /** A seed whose class-"b" structure is not empty at 2 steps. */
  static long filledSeed = -1;

  @BeforeAll
  static void start() throws Exception {
    structure = TinyPipelines.structure(tmp.resolve("structure"), 1);
    appearance = TinyPipelines.appearance(tmp.resolve("appearance"), 2);
    pipeline = Pipelines.write(tmp.resolve("pipe"), structure.dir(), appearance.dir(), 0);
    server = GenerationServer.start(pipeline.dir(), ServeOptions.loopback());
    http = new Http(server.baseUri());
    for (long seed = 0; seed < 20 && filledSeed < 0; seed++) {
      HttpResponse<byte[]> r = generate(seed, "voxels", 2);
      if (Http.json(r).path("emptySamples").asInt() == 0) {
        filledSeed = seed;
      }
    }
    assertThat(filledSeed).as("a seed with a non-empty structure").isNotNegative();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<byte[]> generate(long seed, String format, int steps) throws Exception {
    return http.generate(
        "{\"class\":\"b\",\"seed\":"
            + seed
            + ",\"steps\":"
            + steps
            + ",\"format\":\""
            + format
            + "\"}");
  }

  @Test
  void modelInfoSaysItIsAPipelineWithBothStages() throws Exception {
    JsonNode m = Http.json(http.get("/v1/model"));
    assertThat(m.path("kind").asText()).isEqualTo("pipeline");
    assertThat(m.path("role").asText()).isEqualTo("pipeline");
    assertThat(m.path("digest").asText()).isEqualTo(pipeline.digest());
    assertThat(m.path("threshold").asDouble()).isZero();
    assertThat(m.at("/stages/structure/digest").asText()).isEqualTo(structure.digest());
    assertThat(m.at("/stages/appearance/digest").asText()).isEqualTo(appearance.digest());
    assertThat(m.at("/stages/structure/allowedSteps")).hasSize(64);
    assertThat(m.at("/stages/appearance/allowedSteps")).hasSize(64);
    assertThat(m.at("/stages/appearance/kind").asText()).isEqualTo("sparse-flow-transformer");
    assertThat(m.at("/steps/default").asInt()).isEqualTo(2);
    assertThat(m.at("/steps/allowed")).hasSize(64);
    assertThat(m.path("channels").asInt()).isEqualTo(1);
    assertThat(m.path("colourChannels").asInt()).isEqualTo(3);
    assertThat(m.path("classes")).hasSize(3);
    assertThat(m.path("nfePerSample").asInt())
        .isEqualTo(
            m.at("/stages/structure/nfePerSample").asInt()
                + m.at("/stages/appearance/nfePerSample").asInt());
  }

  /** Sample i of a request is the lone request with seed + i, whatever shares its batch. */
  @Test
  void aSampleDoesNotDependOnItsBatch() throws Exception {
    HttpResponse<byte[]> two =
        http.generate(
            "{\"class\":\"b\",\"seed\":" + filledSeed + ",\"count\":2,\"format\":\"npz\"}");
    try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
      NDList both = NDList.decode(nd, two.body());
      for (int i = 0; i < 2; i++) {
        NDList lone = NDList.decode(nd, generate(filledSeed + i, "npz", 2).body());
        for (String name : new String[] {"occupancy", "colours"}) {
          float[] a = both.get(name).get(i).toFloatArray();
          float[] b = lone.get(name).get(0).toFloatArray();
          assertThat(a).as("%s of sample %d", name, i).containsExactly(b, within(1e-4f));
        }
      }
    }
  }

  @Test
  void glbCarriesVertexColours() throws Exception {
    HttpResponse<byte[]> r = generate(filledSeed, "glb", 2);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("model/gltf-binary");
    assertThat(r.headers().firstValue("X-Model-Digest")).hasValue(pipeline.digest());
    assertThat(r.headers().firstValue("X-Empty-Samples")).hasValue("0");
    ByteBuffer b = ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
    String json = new String(r.body(), 20, b.getInt(12), StandardCharsets.UTF_8);
    assertThat(json).contains("COLOR_0");
  }

  @Test
  void plyHasVertexColoursAndObjIsRefused() throws Exception {
    HttpResponse<byte[]> ply = generate(filledSeed, "ply", 2);
    assertThat(ply.statusCode()).isEqualTo(200);
    assertThat(Http.text(ply))
        .contains("property uchar red", "property uchar green", "property uchar blue");

    HttpResponse<byte[]> obj = generate(filledSeed, "obj", 2);
    assertThat(obj.statusCode()).isEqualTo(400);
    JsonNode err = Http.json(obj);
    assertThat(err.path("field").asText()).isEqualTo("format");
    assertThat(err.path("error").asText()).contains("obj", "pipeline", "glb", "ply");
  }

  @Test
  void voxelsListAColourPerVoxel() throws Exception {
    JsonNode s = Http.json(generate(filledSeed, "voxels", 2)).path("samples").get(0);
    assertThat(s.path("colours").size()).isEqualTo(s.path("voxels").size()).isPositive();
    assertThat(s.path("colours").get(0)).hasSize(3);
  }

  /**
   * The served sample is {@code mdt sample}'s shape for the same class, seed and steps: the same
   * thresholded structure and the same colours on it (non-zero on occupied voxels, zero off them).
   */
  @Test
  void npzHoldsStructureAndColoursAsMdtSampleMakesThem() throws Exception {
    int steps = 3;
    HttpResponse<byte[]> r = generate(filledSeed, "npz", steps);
    assertThat(r.statusCode()).isEqualTo(200);
    SampleShapes.Result sampled =
        SampleShapes.run(
            new SampleShapes.Request(
                pipeline.dir(),
                List.of("b"),
                1,
                filledSeed,
                steps,
                null,
                null,
                tmp.resolve("sampled"),
                Device.cpu(),
                steps,
                null));
    try (NDManager nd = NDManager.newBaseManager(Device.cpu())) {
      NDList list = NDList.decode(nd, r.body());
      float[] occ = list.get("occupancy").toFloatArray();
      float[] rgb = list.get("colours").toFloatArray();
      assertThat(list.get("occupancy").getShape().getShape()).containsExactly(1, 1, 8, 8, 8);
      assertThat(list.get("colours").getShape().getShape()).containsExactly(1, 3, 8, 8, 8);
      assertThat(list.get("y").toLongArray()).containsExactly(1L);

      float[] structureAlone = sampled.grids().data();
      int filled = 0;
      for (int v = 0; v < occ.length; v++) {
        assertThat(occ[v] > 0).as("voxel %d", v).isEqualTo(structureAlone[v] > 0);
        filled += occ[v] > 0 ? 1 : 0;
        for (int c = 0; c < 3; c++) {
          float served = rgb[c * occ.length + v];
          assertThat(served)
              .as("voxel %d channel %d", v, c)
              .isCloseTo(sampled.appearance().data()[c * occ.length + v], within(1e-4f));
          if (occ[v] > 0) {
            assertThat(served).isNotZero();
          } else {
            assertThat(served).isZero();
          }
        }
      }
      assertThat(filled).isPositive();
    }
  }

  @Test
  void anEmptyStructureIsA200WithTheEmptyCountAndNoColours() throws Exception {
    Artifact never = Pipelines.write(tmp.resolve("never"), structure.dir(), appearance.dir(), 1e9);
    try (GenerationServer s = GenerationServer.start(never.dir(), ServeOptions.loopback())) {
      Http h = new Http(s.baseUri());
      for (String format : new String[] {"glb", "ply", "png", "npz"}) {
        HttpResponse<byte[]> r =
            h.generate("{\"class\":\"a\",\"seed\":5,\"format\":\"" + format + "\",\"count\":2}");
        assertThat(r.statusCode()).as(format).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Empty-Samples")).as(format).hasValue("2");
      }
      JsonNode v = Http.json(h.generate("{\"class\":\"a\",\"seed\":5,\"format\":\"voxels\"}"));
      assertThat(v.path("emptySamples").asInt()).isEqualTo(1);
      assertThat(v.path("samples").get(0).path("colours")).isEmpty();
      assertThat(Http.text(h.get("/metrics")))
          .contains("mdt_serve_empty_samples_total{steps=\"2\"} 9.0")
          .contains("mdt_serve_requests_total{outcome=\"error\",traffic=\"user\"} 0.0")
          .contains("mdt_serve_stage_duration_seconds_count{stage=\"appearance\",steps=\"2\"}");
    }
  }

  @Test
  void stepsOneStageDoesNotServeAreA400NamingTheStage() throws Exception {
    Artifact student = TinyPipelines.appearanceStudent(tmp.resolve("student"), 3, List.of(1, 2));
    Artifact p = Pipelines.write(tmp.resolve("mixed"), structure.dir(), student.dir(), 0);
    try (GenerationServer s = GenerationServer.start(p.dir(), ServeOptions.loopback())) {
      Http h = new Http(s.baseUri());
      HttpResponse<byte[]> bad = h.generate("{\"class\":\"a\",\"steps\":3}");
      assertThat(bad.statusCode()).isEqualTo(400);
      JsonNode err = Http.json(bad);
      assertThat(err.path("field").asText()).isEqualTo("steps");
      assertThat(err.path("error").asText())
          .contains("appearance stage serves steps [1, 2]")
          .doesNotContain("structure stage serves");
      assertThat(Http.json(h.get("/v1/model")).at("/steps/allowed").toString()).isEqualTo("[1,2]");
      assertThat(h.generate("{\"class\":\"a\",\"steps\":1,\"format\":\"glb\"}").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void anAppearanceModelAloneIsRefusedPointingToMdtPipeline() throws Exception {
    assertThatThrownBy(
            () -> GenerationServer.start(appearance.dir(), ServeOptions.loopback()).close())
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("appearance model")
        .hasMessageContaining("mdt pipeline");

    StringWriter err = new StringWriter();
    var cl = Mdt.commandLine();
    cl.setErr(new PrintWriter(err));
    int code =
        cl.execute(
            "serve",
            "--model",
            appearance.dir().toString(),
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--device",
            "cpu");
    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("mdt pipeline");
  }
}
