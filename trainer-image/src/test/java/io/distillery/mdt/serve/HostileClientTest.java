package io.distillery.mdt.serve;

import static io.distillery.mdt.serve.GenerationServerTest.assertError;
import static io.distillery.mdt.serve.GenerationServerTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a careless or hostile client sends, over real HTTP on loopback: every answer is a JSON error
 * with the right status, counted as the client's fault, and no connection is held forever.
 */
class HostileClientTest {
  @TempDir static Path tmp;
  static GenerationServer server;
  static Http http;

  @BeforeAll
  static void start() throws Exception {
    server =
        GenerationServer.start(TinyModels.teacher(tmp.resolve("t"), 2), ServeOptions.loopback());
    http = new Http(server.baseUri());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static double outcome(String name) throws Exception {
    return metric(
        Http.text(http.get("/metrics")),
        "mdt_serve_requests_total{outcome=\"" + name + "\",traffic=\"user\"}");
  }

  @Test
  void anEmptyBodyIsABadRequestNotAServerError() throws Exception {
    double errors = outcome("error");
    double bad = outcome("bad_request");
    assertError(http.generate(""), 400, null, "empty");
    assertThat(outcome("error")).isEqualTo(errors);
    assertThat(outcome("bad_request")).isEqualTo(bad + 1);
  }

  static Stream<Arguments> malformedJson() {
    return Stream.of(
        Arguments.of("{\"class\":\"box\"} garbage", null, "trailing"),
        Arguments.of("{\"class\":\"box\"}{\"class\":\"box\"}", null, "trailing"),
        Arguments.of("{\"class\":\"box\",\"class\":\"cone\"}", null, "Duplicate field 'class'"));
  }

  @ParameterizedTest
  @MethodSource("malformedJson")
  void trailingTokensAndDuplicateKeysAreRejected(String body, String field, String message)
      throws Exception {
    assertError(http.generate(body), 400, field, message);
  }

  @Test
  void anAbortedUploadIsCountedAsAbortedNotAsAServerError() throws Exception {
    double errors = outcome("error");
    // System.Logger goes to java.util.logging here; nothing at WARNING or above may be logged.
    List<LogRecord> loud = new CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger(GenerationServer.class.getName());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              loud.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(capture);
    try {
      abortAnUpload();
    } finally {
      log.removeHandler(capture);
    }
    assertThat(outcome("aborted")).isEqualTo(1);
    assertThat(outcome("error")).isEqualTo(errors);
    assertThat(loud).extracting(LogRecord::getMessage).isEmpty();
  }

  private static void abortAnUpload() throws Exception {
    try (Socket s = new Socket(server.baseUri().getHost(), server.port())) {
      OutputStream o = s.getOutputStream();
      o.write(
          ("POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 1000\r\n\r\n{\"class\":")
              .getBytes(StandardCharsets.US_ASCII));
      o.flush();
      Thread.sleep(200);
    }
    long deadline = System.currentTimeMillis() + 10_000;
    while (outcome("aborted") < 1 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }

  @Test
  void tooLongUriAndTooLargeHeadersGetJsonErrors() throws Exception {
    RawResponse uri = raw("GET /v1/model?" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(uri.status).as(uri.text).isEqualTo(414);
    assertThat(uri.json().path("error").asText()).contains("URI");
    RawResponse headers =
        raw("GET /v1/model HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
    assertThat(headers.status).as(headers.text).isEqualTo(431);
    assertThat(headers.json().path("error").asText()).contains("header");
  }

  @Test
  void headIsAnsweredLikeGetWithoutABody() throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (String path : new String[] {"/healthz", "/readyz", "/v1/model", "/metrics"}) {
      HttpResponse<byte[]> r =
          c.send(
              HttpRequest.newBuilder(server.baseUri().resolve(path))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).isEmpty();
      assertThat(r.headers().firstValue("content-type"))
          .isEqualTo(http.get(path).headers().firstValue("content-type"));
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWithinTheIdleTimeout() throws Exception {
    try (GenerationServer idle =
        GenerationServer.listen(ServeOptions.loopback().withIdleTimeoutMs(500))) {
      URI base = idle.baseUri();
      try (Socket s = new Socket(base.getHost(), base.getPort())) {
        s.setSoTimeout(10_000);
        long began = System.nanoTime();
        int read;
        try {
          read = s.getInputStream().read();
        } catch (SocketTimeoutException e) {
          throw new AssertionError("the server held a silent connection for 10 s", e);
        } catch (IOException reset) {
          read = -1;
        }
        assertThat(read).isEqualTo(-1);
        assertThat((System.nanoTime() - began) / 1e9).isBetween(0.3, 5.0);
      }
    }
  }

  @Test
  void pngEncodingDoesNotDependOnImageIosDiskCache(@TempDir Path dir) throws Exception {
    // On SIGTERM the JVM's shutdown hook closes ImageIO's temp-file cache streams, so PNGs still
    // being drained failed. A cache directory that is gone stands in for that: with the cache
    // switched on and unusable, a PNG must still be encoded.
    boolean useCache = ImageIO.getUseCache();
    File cacheDir = ImageIO.getCacheDirectory();
    Path cache = Files.createDirectory(dir.resolve("imageio-cache"));
    HttpResponse<byte[]> r;
    try {
      ImageIO.setUseCache(true);
      ImageIO.setCacheDirectory(cache.toFile());
      Files.delete(cache);
      r = http.generate("{\"class\":\"box\",\"seed\":1,\"format\":\"png\"}");
    } finally {
      ImageIO.setCacheDirectory(cacheDir);
      ImageIO.setUseCache(useCache);
    }
    assertThat(r.statusCode()).as(Http.text(r)).isEqualTo(200);
    assertThat(ImageIO.read(new ByteArrayInputStream(r.body()))).isNotNull();
  }

  /** One malformed request of the battery: its kind, a label and the raw HTTP bytes. */
  record Hostile(
      String kind, String label, boolean generate, String request, int trickleMs, boolean latin1) {
    Hostile(String kind, String label, boolean generate, String request, int trickleMs) {
      this(kind, label, generate, request, trickleMs, false);
    }

    static Hostile post(String kind, String label, String body) {
      return post(kind, label, "application/json", body);
    }

    /** The body sent as ISO-8859-1 bytes (not UTF-8 when it has characters above 127). */
    static Hostile postLatin1(String kind, String label, String body) {
      Hostile h = post(kind, label, "application/json", body);
      String request =
          h.request()
              .replace(
                  "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length,
                  "Content-Length: " + body.getBytes(StandardCharsets.ISO_8859_1).length);
      return new Hostile(kind, label, true, request, 0, true);
    }

    static Hostile post(String kind, String label, String contentType, String body) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      return new Hostile(
          kind,
          label,
          true,
          "POST /v1/generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
              + "Content-Length: "
              + bytes.length
              + "\r\n\r\n"
              + body,
          0);
    }

    Hostile slowly(int ms) {
      return new Hostile(kind, label, generate, request, ms, latin1);
    }
  }

  static List<Hostile> battery() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    return List.of(
        Hostile.post("empty", "empty body", ""),
        Hostile.post("empty", "only whitespace", " \n\t "),
        new Hostile(
            "empty",
            "no body, no Content-Length",
            true,
            "POST /v1/generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\n\r\n",
            0),
        Hostile.post("truncated", "cut inside a string", "{\"class\":\"bo"),
        Hostile.post("truncated", "cut after a comma", "{\"class\":\"box\","),
        Hostile.post("truncated", "an opening brace", "{"),
        Hostile.post("truncated", "cut inside a number", "{\"class\":\"box\",\"seed\":-"),
        Hostile.post("trailing data", "garbage after the object", "{\"class\":\"box\"} garbage"),
        Hostile.post("trailing data", "a second object", "{\"class\":\"box\"}{\"class\":\"box\"}"),
        Hostile.post("trailing data", "a stray bracket", "{\"class\":\"box\"}]"),
        Hostile.post("trailing data", "a NUL byte", "{\"class\":\"box\"}\u0000"),
        Hostile.post("duplicate keys", "class twice", "{\"class\":\"box\",\"class\":\"cone\"}"),
        Hostile.post("duplicate keys", "seed twice", "{\"class\":\"box\",\"seed\":1,\"seed\":2}"),
        Hostile.post("wrong types", "an array", "[]"),
        Hostile.post("wrong types", "a string", "\"box\""),
        Hostile.post("wrong types", "null", "null"),
        Hostile.post("wrong types", "a number", "42"),
        Hostile.post("wrong types", "class a number", "{\"class\":5}"),
        Hostile.post("wrong types", "class null", "{\"class\":null}"),
        Hostile.post("wrong types", "class an object", "{\"class\":{\"name\":\"box\"}}"),
        Hostile.post("wrong types", "seed a string", "{\"class\":\"box\",\"seed\":\"x\"}"),
        Hostile.post("wrong types", "seed a fraction", "{\"class\":\"box\",\"seed\":1.5}"),
        Hostile.post(
            "wrong types",
            "seed beyond 64 bits",
            "{\"class\":\"box\",\"seed\":123456789012345678901234567890}"),
        Hostile.post("wrong types", "seed 1e400", "{\"class\":\"box\",\"seed\":1e400}"),
        Hostile.post("wrong types", "steps a string", "{\"class\":\"box\",\"steps\":\"2\"}"),
        Hostile.post("wrong types", "count a boolean", "{\"class\":\"box\",\"count\":true}"),
        Hostile.post("wrong types", "count 0", "{\"class\":\"box\",\"count\":0}"),
        Hostile.post("wrong types", "format a number", "{\"class\":\"box\",\"format\":7}"),
        Hostile.post("wrong types", "unknown format", "{\"class\":\"box\",\"format\":\"stl\"}"),
        Hostile.post("wrong types", "unknown field", "{\"class\":\"box\",\"colour\":\"red\"}"),
        Hostile.postLatin1("wrong types", "not UTF-8", "{\"class\":\"b\u00ff\u00fe\"}"),
        Hostile.post("wrong types", "Content-Type text/plain", "text/plain", "{\"class\":\"box\"}"),
        Hostile.post("wrong types", "no Content-Type", null, "{\"class\":\"box\"}"),
        Hostile.post(
            "huge",
            "body of 17 KiB",
            "{\"class\":\"box\",\"pad\":\"" + "a".repeat(17 * 1024) + "\"}"),
        new Hostile(
            "huge",
            "Content-Length 10 GB",
            true,
            "POST /v1/generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{",
            0),
        Hostile.post("huge", "5000 nested arrays", deep),
        Hostile.post(
            "huge", "a 15 KiB class name", "{\"class\":\"" + "c".repeat(15 * 1024) + "\"}"),
        Hostile.post("huge", "count 1000000", "{\"class\":\"box\",\"count\":1000000}"),
        Hostile.post("huge", "steps 1000000", "{\"class\":\"box\",\"steps\":1000000}"),
        new Hostile(
            "huge",
            "a 10 KiB URI",
            false,
            "GET /v1/model?" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            0),
        new Hostile(
            "huge",
            "20 KiB of headers",
            false,
            "GET /v1/model HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n",
            0),
        Hostile.post("slow", "a malformed body, one byte per 20 ms", "{\"class\":\"box\",}")
            .slowly(20),
        Hostile.post("slow", "a wrong-type body, one byte per 20 ms", "{\"class\":7}").slowly(20),
        new Hostile(
            "wrong method or path",
            "GET /v1/generate",
            false,
            "GET /v1/generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            0),
        new Hostile(
            "wrong method or path",
            "POST /v1/nothing",
            false,
            "POST /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: 2\r\n\r\n{}",
            0));
  }

  /**
   * The malformed-request battery over raw sockets: every kind of bad input the issue lists gets a
   * 4xx with a JSON error body, none is counted as a server error, and the server still serves. The
   * counts go to target/fault-reports/serving-malformed.md.
   */
  @Test
  void theMalformedRequestBatteryGetsOnly4xxJsonErrorsAndNoServerError() throws Exception {
    double errors = outcome("error");
    double bad = outcome("bad_request");
    Map<String, int[]> byKind = new LinkedHashMap<>(); // requests, 4xx JSON, other
    Map<String, java.util.SortedMap<Integer, Integer>> statuses = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    int countedAsBad = 0;
    for (Hostile h : battery()) {
      RawResponse r = raw(h.request(), h.trickleMs(), h.latin1());
      int[] c = byKind.computeIfAbsent(h.kind(), k -> new int[3]);
      c[0]++;
      statuses
          .computeIfAbsent(h.kind(), k -> new java.util.TreeMap<>())
          .merge(r.status, 1, Integer::sum);
      boolean jsonError = false;
      if (r.status >= 400 && r.status < 500) {
        try {
          jsonError = r.json().path("error").isTextual();
        } catch (IOException | AssertionError e) {
          jsonError = false;
        }
      }
      if (jsonError) {
        c[1]++;
        if (h.generate() && (r.status == 400 || r.status == 413 || r.status == 415)) {
          countedAsBad++;
        }
      } else {
        c[2]++;
        failures.add(h.kind() + " / " + h.label() + ": " + r.status + " " + r.text);
      }
    }
    double newErrors = outcome("error") - errors;
    double newBad = outcome("bad_request") - bad;
    StringBuilder md = new StringBuilder();
    md.append("| kind | requests | 4xx with a JSON error | anything else | statuses |\n");
    md.append("|---|---:|---:|---:|---|\n");
    int[] total = new int[3];
    byKind.forEach(
        (kind, c) -> {
          md.append(
              String.format(
                  java.util.Locale.ROOT,
                  "| %s | %d | %d | %d | %s |%n",
                  kind,
                  c[0],
                  c[1],
                  c[2],
                  statuses.get(kind)));
          for (int i = 0; i < 3; i++) {
            total[i] += c[i];
          }
        });
    md.append(
        String.format(
            java.util.Locale.ROOT,
            "| all | %d | %d | %d | |%n%nmdt_serve_requests_total: error +%.0f, bad_request +%.0f"
                + " (every bad POST /v1/generate); the server answered a valid request afterwards:"
                + " %d.%n",
            total[0],
            total[1],
            total[2],
            newErrors,
            newBad,
            http.generate("{\"class\":\"box\",\"format\":\"voxels\"}").statusCode()));
    FaultReport.write("malformed", "Serving: malformed-request battery", md.toString());
    assertThat(failures).isEmpty();
    assertThat(newErrors).isZero();
    assertThat(newBad).isEqualTo(countedAsBad);
    assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
  }

  record RawResponse(int status, String text) {
    JsonNode json() throws IOException {
      int body = text.indexOf("\r\n\r\n");
      assertThat(text.toLowerCase(java.util.Locale.ROOT))
          .contains("content-type: application/json");
      return Http.JSON.readTree(text.substring(body + 4));
    }
  }

  /** Sends {@code request} as is and reads the answer until the server closes the connection. */
  private static RawResponse raw(String request) throws IOException {
    return raw(request, 0, false);
  }

  /**
   * Sends {@code request} (UTF-8, or ISO-8859-1 bytes when {@code latin1}), one byte per {@code
   * trickleMs} when that is positive, and reads the answer until the server closes the connection.
   */
  private static RawResponse raw(String request, int trickleMs, boolean latin1) throws IOException {
    try (Socket s = new Socket(server.baseUri().getHost(), server.port())) {
      s.setSoTimeout(10_000);
      OutputStream o = s.getOutputStream();
      byte[] bytes =
          request.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      try {
        if (trickleMs > 0) {
          for (byte b : bytes) {
            o.write(b);
            o.flush();
            Thread.sleep(trickleMs);
          }
        } else {
          o.write(bytes);
          o.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      } catch (IOException closedEarly) {
        // the server may answer and close before it has read everything
      }
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          all.write(buf, 0, n);
        }
      } catch (IOException reset) {
        // a reset after the answer still leaves the answer
      }
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int status = text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
      return new RawResponse(status, text);
    }
  }
}
