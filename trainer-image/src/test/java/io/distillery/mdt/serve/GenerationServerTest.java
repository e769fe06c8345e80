package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.CanaryProbeReport;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every endpoint and every bad input of {@code mdt serve}, over real HTTP on loopback. */
class GenerationServerTest {
  @TempDir static Path tmp;
  static Path teacherDir;
  static GenerationServer server;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    teacherDir = TinyModels.teacher(tmp.resolve("t"), 4);
    server = GenerationServer.start(teacherDir, ServeOptions.loopback());
    http = new Http(server.baseUri());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void livenessAndReadinessAnswerOnceLoaded() throws Exception {
    assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> ready = http.get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Http.json(ready).path("status").asText()).isEqualTo("ready");
  }

  @Test
  void modelEndpointDescribesTheArtifact() throws Exception {
    HttpResponse<byte[]> r = http.get("/v1/model");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode m = Http.json(r);
    assertThat(m.path("digest").asText()).isEqualTo(server.model().digest()).startsWith("sha256:");
    assertThat(m.path("role").asText()).isEqualTo("teacher");
    assertThat(m.path("guidanceBakedIn").asBoolean()).isFalse();
    assertThat(m.path("steps").path("default").asInt()).isEqualTo(4);
    assertThat(m.path("steps").path("allowed")).hasSize(64);
    assertThat(m.path("nfePerSample").asInt()).isEqualTo(8);
    assertThat(m.path("architecture").path("width").asInt()).isEqualTo(16);
    assertThat(m.path("classes")).hasSize(8);
    assertThat(m.path("classes").get(0).asText()).isEqualTo("sphere");
    assertThat(m.path("maxCount").asInt()).isEqualTo(ServeOptions.loopback().maxCount());
    assertThat(m.has("evaluation")).isFalse();
  }

  @Test
  void generatesVoxelsWithTheModelHeaders() throws Exception {
    HttpResponse<byte[]> r = http.generate("{\"class\":\"box\",\"seed\":7,\"format\":\"voxels\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("X-Model-Digest")).hasValue(server.model().digest());
    assertThat(r.headers().firstValue("X-Steps")).hasValue("4");
    assertThat(r.headers().firstValue("X-Seed")).hasValue("7");
    assertThat(Double.parseDouble(r.headers().firstValue("X-Generation-Ms").orElseThrow()))
        .isPositive();
    JsonNode body = Http.json(r);
    assertThat(body.path("resolution").asInt()).isEqualTo(16);
    JsonNode sample = body.path("samples").get(0);
    assertThat(sample.path("class").asText()).isEqualTo("box");
    assertThat(sample.path("seed").asLong()).isEqualTo(7);
    assertThat(sample.path("voxels").size()).isEqualTo(sample.path("filled").asInt());
    for (JsonNode v : sample.path("voxels")) {
      assertThat(v).hasSize(3);
      v.forEach(c -> assertThat(c.asInt()).isBetween(0, 15));
    }
  }

  @Test
  void theSameSeedGivesTheSameAssetAndSampleIOfACountUsesSeedPlusI() throws Exception {
    String req = "{\"class\":\"torus\",\"seed\":123,\"format\":\"voxels\",\"steps\":3}";
    HttpResponse<byte[]> a = http.generate(req);
    HttpResponse<byte[]> b = http.generate(req);
    assertThat(a.statusCode()).isEqualTo(200);
    assertThat(b.body()).isEqualTo(a.body());
    assertThat(a.headers().firstValue("X-Steps")).hasValue("3");
    HttpResponse<byte[]> other =
        http.generate("{\"class\":\"torus\",\"seed\":124,\"format\":\"voxels\",\"steps\":3}");
    assertThat(other.body()).isNotEqualTo(a.body());
    HttpResponse<byte[]> two =
        http.generate(
            "{\"class\":\"torus\",\"seed\":123,\"format\":\"voxels\",\"steps\":3,\"count\":2}");
    JsonNode samples = Http.json(two).path("samples");
    assertThat(samples).hasSize(2);
    assertThat(samples.get(0)).isEqualTo(Http.json(a).path("samples").get(0));
    assertThat(samples.get(1)).isEqualTo(Http.json(other).path("samples").get(0));
  }

  @Test
  void withoutASeedTheServerPicksOneAndReportsIt() throws Exception {
    HttpResponse<byte[]> r = http.generate("{\"class\":\"cone\",\"format\":\"voxels\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    String seed = r.headers().firstValue("X-Seed").orElseThrow();
    HttpResponse<byte[]> again =
        http.generate("{\"class\":\"cone\",\"format\":\"voxels\",\"seed\":" + seed + "}");
    assertThat(again.body()).isEqualTo(r.body());
  }

  @Test
  void plyAndObjHoldTheVoxelSurfaceAndSeveralSamplesSitSideBySide() throws Exception {
    String req = "{\"class\":\"chair\",\"seed\":11,\"count\":2,\"format\":";
    JsonNode voxels = Http.json(http.generate(req + "\"voxels\"}")).path("samples");
    int filled = voxels.get(0).path("filled").asInt() + voxels.get(1).path("filled").asInt();
    assertThat(filled).isPositive();

    HttpResponse<byte[]> ply = http.generate(req + "\"ply\"}");
    assertThat(ply.statusCode()).isEqualTo(200);
    assertThat(ply.headers().firstValue("content-type")).hasValue("application/x-ply");
    assertThat(ply.headers().firstValue("Content-Disposition").orElseThrow())
        .contains("chair-11.ply");
    List<String> lines = Http.text(ply).lines().toList();
    assertThat(lines.get(0)).isEqualTo("ply");
    int vertices = headerCount(lines, "element vertex ");
    int faces = headerCount(lines, "element face ");
    assertThat(faces).isPositive();
    int body = lines.indexOf("end_header") + 1;
    assertThat(lines).hasSize(body + vertices + faces);
    double maxX =
        lines.subList(body, body + vertices).stream()
            .mapToDouble(l -> Double.parseDouble(l.split(" ")[0]))
            .max()
            .orElseThrow();
    assertThat(maxX).as("the second sample sits beside the first").isGreaterThan(17);

    HttpResponse<byte[]> obj = http.generate(req + "\"obj\"}");
    assertThat(obj.headers().firstValue("content-type")).hasValue("model/obj");
    List<String> objLines = Http.text(obj).lines().toList();
    assertThat(objLines.stream().filter(l -> l.startsWith("v "))).hasSize(vertices);
    assertThat(objLines.stream().filter(l -> l.startsWith("f "))).hasSize(faces);
    objLines.stream()
        .filter(l -> l.startsWith("f "))
        .flatMap(l -> Stream.of(l.substring(2).split(" ")))
        .mapToInt(Integer::parseInt)
        .forEach(i -> assertThat(i).isBetween(1, vertices));
  }

  @Test
  void glbIsValidGltfWithTheSameSurfaceAsThePly() throws Exception {
    String req = "{\"class\":\"chair\",\"seed\":11,\"count\":2,\"format\":";
    HttpResponse<byte[]> glb = http.generate(req + "\"glb\"}");
    assertThat(glb.statusCode()).isEqualTo(200);
    assertThat(glb.headers().firstValue("content-type")).hasValue("model/gltf-binary");
    assertThat(glb.headers().firstValue("Content-Disposition").orElseThrow())
        .contains("chair-11.glb");
    int plyFaces =
        headerCount(Http.text(http.generate(req + "\"ply\"}")).lines().toList(), "element face ");
    Path file = tmp.resolve("chair-11.glb");
    Files.write(file, glb.body());
    JsonNode report = io.distillery.mdt.render.GltfValidator.validate(List.of(file)).get(0);
    assertThat(report.get("errors").asInt() + report.get("warnings").asInt())
        .as("%s", report.get("messages"))
        .isZero();
    assertThat(report.at("/info/totalTriangleCount").asInt())
        .as("two triangles per PLY quad")
        .isEqualTo(2 * plyFaces);
  }

  @Test
  void pngIsAContactSheetWithOnePreviewPerSample() throws Exception {
    HttpResponse<byte[]> r =
        http.generate("{\"class\":\"table\",\"seed\":5,\"count\":3,\"format\":\"png\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
    java.awt.image.BufferedImage img =
        javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
    assertThat(img.getWidth()).isEqualTo(3 * AssetEncoder.PNG_CELL);
    assertThat(img.getHeight()).isGreaterThanOrEqualTo(AssetEncoder.PNG_CELL);
  }

  static int headerCount(List<String> lines, String prefix) {
    return lines.stream()
        .filter(l -> l.startsWith(prefix))
        .mapToInt(l -> Integer.parseInt(l.substring(prefix.length())))
        .findFirst()
        .orElseThrow();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("{\"class\":", 400, null, "not valid JSON"),
        Arguments.of("[1,2]", 400, null, "JSON object"),
        Arguments.of("{}", 400, "class", "required"),
        Arguments.of("{\"class\":\"dragon\"}", 400, "class", "unknown class 'dragon'"),
        Arguments.of("{\"class\":3}", 400, "class", "must be a string"),
        Arguments.of("{\"class\":\"box\",\"colour\":\"red\"}", 400, "colour", "unknown field"),
        Arguments.of("{\"class\":\"box\",\"seed\":1.5}", 400, "seed", "integer"),
        Arguments.of("{\"class\":\"box\",\"steps\":0}", 400, "steps", "1..64"),
        Arguments.of("{\"class\":\"box\",\"steps\":65}", 400, "steps", "1..64"),
        Arguments.of("{\"class\":\"box\",\"steps\":\"many\"}", 400, "steps", "integer"),
        Arguments.of("{\"class\":\"box\",\"count\":0}", 400, "count", "1..4"),
        Arguments.of("{\"class\":\"box\",\"count\":5}", 400, "count", "1..4"),
        Arguments.of("{\"class\":\"box\",\"format\":\"stl\"}", 400, "format", "unsupported"),
        Arguments.of("{\"class\":\"box\",\"format\":1}", 400, "format", "unsupported"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badInputGetsAJsonErrorNamingTheField(String body, int status, String field, String message)
      throws Exception {
    HttpResponse<byte[]> r = http.generate(body);
    assertError(r, status, field, message);
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    assertError(
        http.post("/v1/generate", "text/plain", "{\"class\":\"box\"}"),
        415,
        "Content-Type",
        "application/json");
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    String big = "{\"class\":\"box\",\"pad\":\"" + "x".repeat(ServeOptions.MAX_BODY_BYTES) + "\"}";
    assertError(http.generate(big), 413, "body", "16384 bytes");
  }

  @Test
  void unknownPathsAndMethodsGetJsonErrors() throws Exception {
    assertError(http.get("/v1/nothing"), 404, null, "no such endpoint");
    assertError(http.get("/v1/generate"), 405, null, "method not allowed");
  }

  @Test
  void theServerKeepsServingAfterBadInputAndCountsOutcomes() throws Exception {
    http.generate("{nope");
    http.post("/v1/generate", "text/plain", "x");
    HttpResponse<byte[]> ok = http.generate("{\"class\":\"chair\",\"format\":\"voxels\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
    String metrics = Http.text(http.get("/metrics"));
    assertThat(metric(metrics, "mdt_serve_requests_total{outcome=\"ok\",traffic=\"user\"}"))
        .isPositive();
    assertThat(
            metric(metrics, "mdt_serve_requests_total{outcome=\"bad_request\",traffic=\"user\"}"))
        .isGreaterThanOrEqualTo(2);
    assertThat(
            metric(
                metrics,
                "mdt_serve_request_duration_seconds_count{format=\"voxels\",steps=\"4\",traffic=\"user\"}"))
        .isPositive();
    assertThat(metric(metrics, "mdt_serve_batch_size_count")).isPositive();
    assertThat(metric(metrics, "mdt_serve_batch_duration_seconds_count{steps=\"4\"}")).isPositive();
    assertThat(metric(metrics, "mdt_serve_in_flight_requests")).isZero();
    assertThat(metric(metrics, "mdt_serve_ready")).isEqualTo(1);
  }

  @Test
  void probeRequestsAreCountedApartFromUsers() throws Exception {
    String ok = "mdt_serve_requests_total{outcome=\"ok\",traffic=\"%s\"}";
    String bad = "mdt_serve_requests_total{outcome=\"bad_request\",traffic=\"%s\"}";
    String latency =
        "mdt_serve_request_duration_seconds_count{format=\"voxels\",steps=\"4\",traffic=\"%s\"}";
    String before = Http.text(http.get("/metrics"));
    String body = "{\"class\":\"box\",\"seed\":3,\"format\":\"voxels\"}";
    String probe = CanaryProbeReport.PROBE_HEADER;
    assertThat(http.post("/v1/generate", "application/json", body, probe, "1").statusCode())
        .isEqualTo(200);
    assertThat(http.post("/v1/generate", "application/json", "{nope", probe, "x").statusCode())
        .isEqualTo(400);
    assertThat(http.generate(body).statusCode()).isEqualTo(200);
    String after = Http.text(http.get("/metrics"));
    // Other tests share the server: compare the probe series, which only this test moves.
    assertThat(metric(after, ok.formatted("probe")) - metric(before, ok.formatted("probe")))
        .isEqualTo(1);
    assertThat(metric(after, bad.formatted("probe")) - metric(before, bad.formatted("probe")))
        .isEqualTo(1);
    assertThat(metric(after, latency.formatted("probe"))).isEqualTo(1);
    assertThat(metric(after, ok.formatted("user")))
        .isGreaterThan(metric(before, ok.formatted("user")));
    assertThat(metric(after, latency.formatted("user"))).isPositive();
  }

  @Test
  void everyOutcomeIsExposedForBothTrafficKindsBeforeAnyRequest() {
    String metrics = new ServingMetrics().scrape();
    for (String outcome :
        List.of("ok", "bad_request", "rejected", "unavailable", "error", "aborted")) {
      for (String traffic : List.of("user", "probe")) {
        assertThat(
                metric(
                    metrics,
                    "mdt_serve_requests_total{outcome=\""
                        + outcome
                        + "\",traffic=\""
                        + traffic
                        + "\"}"))
            .isZero();
      }
    }
  }

  @Test
  void aStudentAcceptsOnlyItsTrainedStepsAndReportsItsEvaluation(@TempDir Path dir)
      throws Exception {
    Path student = TinyModels.student(teacherDir, dir.resolve("student"), List.of(1, 2));
    // As mdt distill writes it: beside the artifact, naming its digest.
    Files.writeString(
        dir.resolve("result.json"),
        "{\"status\":\"succeeded\",\"digest\":\""
            + io.distillery.mdt.artifact.Artifact.open(student).digest()
            + "\",\"speedup\":{\"1\":41.5},"
            + "\"metrics\":{\"1\":{\"fd\":0.5,\"nfe\":1}},\"gate\":{\"passed\":true}}");
    try (GenerationServer s = GenerationServer.start(student, ServeOptions.loopback())) {
      Http h = new Http(s.baseUri());
      JsonNode m = Http.json(h.get("/v1/model"));
      assertThat(m.path("role").asText()).isEqualTo("student");
      assertThat(m.path("guidanceBakedIn").asBoolean()).isTrue();
      assertThat(m.path("steps").path("allowed").toString()).isEqualTo("[1,2]");
      assertThat(m.path("nfePerSample").asInt()).isEqualTo(1);
      assertThat(m.path("evaluation").path("speedup").path("1").asDouble()).isEqualTo(41.5);
      assertThat(m.path("evaluation").path("gate").path("passed").asBoolean()).isTrue();
      HttpResponse<byte[]> def = h.generate("{\"class\":\"box\",\"format\":\"voxels\"}");
      assertThat(def.headers().firstValue("X-Steps")).hasValue("1");
      assertThat(h.generate("{\"class\":\"box\",\"steps\":2,\"format\":\"voxels\"}").statusCode())
          .isEqualTo(200);
      assertError(
          h.generate("{\"class\":\"box\",\"steps\":3}"), 400, "steps", "trained for steps [1, 2]");
    }
  }

  static void assertError(HttpResponse<byte[]> r, int status, String field, String message)
      throws Exception {
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode e = Http.json(r);
    assertThat(e.path("error").asText()).contains(message);
    if (field == null) {
      assertThat(e.path("field").isNull()).isTrue();
    } else {
      assertThat(e.path("field").asText()).isEqualTo(field);
    }
    assertThat(Http.text(r)).doesNotContain("Exception").doesNotContain("\tat ");
  }

  /** The value of the sample line starting with {@code name} in a Prometheus text exposition. */
  static double metric(String exposition, String name) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name + " in\n" + exposition));
  }
}
