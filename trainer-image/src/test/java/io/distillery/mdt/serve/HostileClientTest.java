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
import java.util.List;
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
        Http.text(http.get("/metrics")), "mdt_serve_requests_total{outcome=\"" + name + "\"}");
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
    try (Socket s = new Socket(server.baseUri().getHost(), server.port())) {
      s.setSoTimeout(10_000);
      OutputStream o = s.getOutputStream();
      try {
        o.write(request.getBytes(StandardCharsets.US_ASCII));
        o.flush();
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
