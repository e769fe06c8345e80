package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code mdt serve} process gets SIGTERM while requests in every output format wait in its
 * queue (a 64-step teacher, batches of 1): every one is still answered 200 in its format (PNGs
 * encoded while the JVM's shutdown hooks run: ImageIO's temp-file cache, which those hooks close,
 * broke this only when a hook hit an encoding in progress; HostileClientTest's unusable-cache test
 * pins that fix), and requests that arrive after the signal get 503 or find the port closed, never
 * another error. The counts go to target/fault-reports/serving-sigterm.md.
 */
class SigtermDrainTest {
  private static final int PER_FORMAT = 4;
  private static final int LATE = 5;

  @TempDir static Path tmp;

  @Test
  void requestsInFlightAtSigtermAreAnsweredInEveryFormat() throws Exception {
    // 64 guided steps by default and batches of 1: the requests queue behind one another, so most
    // are still waiting when the signal comes (the batching window no longer holds requests
    // while nothing else is in flight).
    Path model = TinyModels.teacher(tmp.resolve("t"), 64);
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
                "--max-batch",
                "1",
                "--max-count",
                "1")
            .redirectError(log.toFile())
            .start();
    try {
      URI base = awaitServing(p, log);
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Map<AssetFormat, List<CompletableFuture<HttpResponse<byte[]>>>> inFlight =
          new EnumMap<>(AssetFormat.class);
      int seed = 0;
      for (AssetFormat f : AssetFormat.values()) {
        for (int i = 0; i < PER_FORMAT; i++) {
          inFlight
              .computeIfAbsent(f, k -> new ArrayList<>())
              .add(c.sendAsync(generate(base, f, seed++), HttpResponse.BodyHandlers.ofByteArray()));
        }
      }
      int waiting = awaitAccepted(base, seed);
      p.destroy(); // SIGTERM
      // Late arrivals: 503 while draining, or a closed port once it has stopped.
      Map<String, Integer> late = new TreeMap<>();
      for (int i = 0; i < LATE; i++) {
        String outcome;
        try {
          HttpResponse<byte[]> r =
              c.send(
                  generate(base, AssetFormat.VOXELS, 1000 + i),
                  HttpResponse.BodyHandlers.ofByteArray());
          outcome = Integer.toString(r.statusCode());
          if (r.statusCode() == 503) {
            assertThat(Http.json(r).path("error").asText()).contains("draining");
          }
        } catch (IOException e) {
          outcome = "connection refused or closed";
        }
        late.merge(outcome, 1, Integer::sum);
      }
      StringBuilder md = new StringBuilder();
      md.append("| format | in flight at SIGTERM | answered 200 in its format | failed |\n");
      md.append("|---|---:|---:|---:|\n");
      int failed = 0;
      List<String> failures = new ArrayList<>();
      for (Map.Entry<AssetFormat, List<CompletableFuture<HttpResponse<byte[]>>>> e :
          inFlight.entrySet()) {
        int ok = 0;
        for (CompletableFuture<HttpResponse<byte[]>> f : e.getValue()) {
          HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
          if (r.statusCode() == 200
              && r.headers().firstValue("content-type").orElse("").equals(e.getKey().contentType())
              && r.body().length > 0) {
            ok++;
          } else {
            failures.add(
                e.getKey().wireName()
                    + ": "
                    + r.statusCode()
                    + " "
                    + new String(r.body(), StandardCharsets.UTF_8));
          }
        }
        failed += e.getValue().size() - ok;
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d | %d |%n",
                e.getKey().wireName(),
                e.getValue().size(),
                ok,
                e.getValue().size() - ok));
      }
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      md.append(
          String.format(
              Locale.ROOT,
              "%nSent: %d, of which not yet answered at SIGTERM: %d; failed: %d. Sent after"
                  + " SIGTERM: %d, answered %s. The process exited within 60 s: %s.%n",
              seed,
              waiting,
              failed,
              LATE,
              late,
              exited));
      FaultReport.write(
          "sigterm", "Serving: SIGTERM under load, every output format", md.toString());
      assertThat(failures).as(Files.readString(log)).isEmpty();
      assertThat(waiting).as("requests still in flight at SIGTERM").isPositive();
      // 200: it arrived before the process had handled the signal.
      assertThat(late.keySet()).isSubsetOf("200", "503", "connection refused or closed");
      assertThat(exited).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  private static HttpRequest generate(URI base, AssetFormat format, int seed) {
    return HttpRequest.newBuilder(base.resolve("/v1/generate"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"class\":\"box\",\"format\":\""
                    + format.wireName()
                    + "\",\"seed\":"
                    + seed
                    + "}"))
        .build();
  }

  /** Waits until the server has accepted all {@code n}; returns how many are not yet answered. */
  private static int awaitAccepted(URI base, int n) throws Exception {
    Http h = new Http(base);
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      String m = Http.text(h.get("/metrics"));
      int inFlight = (int) GenerationServerTest.metric(m, "mdt_serve_in_flight_requests");
      int ok =
          (int)
              GenerationServerTest.metric(
                  m, "mdt_serve_requests_total{outcome=\"ok\",traffic=\"user\"}");
      if (inFlight + ok >= n) {
        return inFlight;
      }
      assertThat(System.currentTimeMillis()).as("requests accepted in time").isLessThan(deadline);
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
