package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code mdt serve} process gets SIGTERM while PNG requests wait in its queue: they are
 * still answered with PNGs, encoded while the JVM's shutdown hooks run. (ImageIO's temp-file cache,
 * which those hooks close, broke this only when a hook hit an encoding in progress; this run did
 * not reproduce that race, HostileClientTest's unusable-cache test pins the fix.)
 */
class SigtermDrainTest {
  @TempDir static Path tmp;

  @Test
  void pngRequestsInFlightAtSigtermAreAnswered() throws Exception {
    Path model = TinyModels.teacher(tmp.resolve("t"), 2);
    Path log = tmp.resolve("serve.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.distillery.mdt.cli.Mdt",
                "serve",
                "--model",
                model.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--device",
                "cpu",
                "--batch-window-ms",
                "5000")
            .redirectError(log.toFile())
            .start();
    try {
      URI base = awaitServing(p, log);
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(
            c.sendAsync(
                HttpRequest.newBuilder(base.resolve("/v1/generate"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"class\":\"box\",\"format\":\"png\",\"seed\":" + i + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray()));
      }
      awaitQueued(base, inFlight.size()); // the 5 s batch window holds them
      p.destroy(); // SIGTERM
      for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
        HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode())
            .as(new String(r.body(), StandardCharsets.UTF_8) + "\n" + Files.readString(log))
            .isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("image/png");
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  private static void awaitQueued(URI base, int n) throws Exception {
    Http h = new Http(base);
    long deadline = System.currentTimeMillis() + 20_000;
    while (GenerationServerTest.metric(Http.text(h.get("/metrics")), "mdt_serve_queue_depth") < n) {
      assertThat(System.currentTimeMillis()).as("requests queued in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The base URI {@code mdt serve} prints once it is ready. */
  private static URI awaitServing(Process p, Path log) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      int at = line.indexOf(" on http://");
      if (line.startsWith("serving ") && at > 0) {
        return URI.create(line.substring(at + 4).trim());
      }
    }
    throw new AssertionError("mdt serve exited before it was ready:\n" + Files.readString(log));
  }
}
