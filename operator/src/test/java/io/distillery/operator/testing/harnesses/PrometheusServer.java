package io.distillery.operator.testing.harnesses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package, hack/install-tools.sh) on loopback, scraping every second
 * the targets a test adds (file-based discovery, so targets can come and go while it runs), with
 * its HTTP query API for assertions.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final URI base;
  private final Path targetsFile;
  private final Map<String, ObjectNode> targets = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Process process, URI base, Path targetsFile) {
    this.process = process;
    this.base = base;
    this.targetsFile = targetsFile;
  }

  /** Starts Prometheus with its data and log under {@code dir}; returns once it is ready. */
  public static PrometheusServer start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path targets = dir.resolve("targets.json");
    Files.writeString(targets, "[]");
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
          evaluation_interval: 1s
        scrape_configs:
          - job_name: distillery
            file_sd_configs:
              - files: [%s]
                refresh_interval: 1s
        """
            .formatted(targets));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
                Tools.prometheusBin().resolve("prometheus").toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    PrometheusServer server =
        new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), targets);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!server.ready()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IOException(
            "Prometheus did not start: " + Files.readString(dir.resolve("prometheus.log")));
      }
      Thread.sleep(200);
    }
    return server;
  }

  /** Scrapes {@code host:port}{@code path} as target {@code name} (its {@code instance} label). */
  public synchronized void scrape(
      String name, String hostPort, String path, Map<String, String> labels) throws IOException {
    ObjectNode group = JSON.createObjectNode();
    group.putArray("targets").add(hostPort);
    ObjectNode l = group.putObject("labels");
    l.put("__metrics_path__", path);
    l.put("target", name);
    labels.forEach(l::put);
    targets.put(name, group);
    Path tmp = targetsFile.resolveSibling("targets.json.tmp");
    ArrayNode all = JSON.createArrayNode();
    targets.values().forEach(all::add);
    Files.writeString(tmp, JSON.writeValueAsString(all));
    Files.move(tmp, targetsFile, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The {@code data.result} of an instant query. */
  public JsonNode query(String promql) throws IOException, InterruptedException {
    JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (!"success".equals(r.path("status").asText())) {
      throw new IOException(promql + ": " + r.path("error").asText(r.toString()));
    }
    return r.path("data").path("result");
  }

  /** The {@code data.result} of a range query from {@code start} to now, every {@code step} s. */
  public JsonNode queryRange(String promql, java.time.Instant start, int step)
      throws IOException, InterruptedException {
    JsonNode r =
        get(
            "/api/v1/query_range?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start="
                + start.getEpochSecond()
                + "&end="
                + java.time.Instant.now().getEpochSecond()
                + "&step="
                + step);
    if (!"success".equals(r.path("status").asText())) {
      throw new IOException(promql + ": " + r.path("error").asText(r.toString()));
    }
    return r.path("data").path("result");
  }

  /** Active targets: {@code target} label, health and last scrape error. */
  public List<JsonNode> activeTargets() throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    get("/api/v1/targets?state=active").path("data").path("activeTargets").forEach(out::add);
    return out;
  }

  public URI base() {
    return base;
  }

  private boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(base.resolve("/-/ready"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
