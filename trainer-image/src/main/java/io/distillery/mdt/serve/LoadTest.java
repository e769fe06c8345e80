package io.distillery.mdt.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code mdt loadtest}: a bounded closed-loop load test on loopback. For each model it starts a
 * {@link GenerationServer} in this process on 127.0.0.1, and for each client count runs that many
 * clients, each sending its next request as soon as the previous one is answered, until {@code
 * requests} requests are done or {@code duration} has passed, whichever comes first. It never talks
 * to anything but its own loopback server.
 */
public final class LoadTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LoadTest() {}

  /**
   * What to run.
   *
   * @param clients concurrent client counts, each measured separately
   * @param requests requests per (model, client count), after {@code clients} untimed warm-up ones
   * @param duration time limit per (model, client count)
   * @param format asset format requested
   * @param serve server options (host and port are forced to loopback and a free port)
   */
  public record Settings(
      List<Integer> clients,
      int requests,
      Duration duration,
      AssetFormat format,
      ServeOptions serve) {
    public Settings {
      if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1 || c > 256)) {
        throw new IllegalArgumentException("--clients must list counts between 1 and 256");
      }
      if (requests < 1) {
        throw new IllegalArgumentException("--requests must be at least 1, got " + requests);
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("--duration-s must be positive");
      }
      serve = serve.withHost("127.0.0.1").withPort(0);
    }
  }

  /** One (model, client count) measurement. */
  public record Row(
      String model,
      String role,
      String digest,
      int steps,
      int nfePerSample,
      int clients,
      int completed,
      int errors,
      double seconds,
      double throughputPerSec,
      double p50Ms,
      double p99Ms,
      double meanBatchSize,
      boolean stoppedByTimeLimit) {}

  /** The whole run. */
  public record Report(
      String date,
      String machine,
      String format,
      int requestsPerRun,
      double timeLimitSeconds,
      int maxBatch,
      int batchWindowMs,
      List<Row> rows) {

    /** Throughput of {@code a} over {@code b} at the same client count, or NaN. */
    public double throughputRatio(String modelA, String modelB, int clients) {
      Row a = row(modelA, clients);
      Row b = row(modelB, clients);
      return a == null || b == null ? Double.NaN : a.throughputPerSec() / b.throughputPerSec();
    }

    public Row row(String model, int clients) {
      return rows.stream()
          .filter(r -> r.model().equals(model) && r.clients() == clients)
          .findFirst()
          .orElse(null);
    }

    /**
     * A markdown table of the rows, then the throughput ratios between models and client counts.
     */
    public String markdown() {
      StringBuilder b = new StringBuilder();
      b.append("Load test ").append(date).append(" on ").append(machine).append(", format ");
      b.append(format).append(", max batch ").append(maxBatch).append(", window ");
      b.append(batchWindowMs).append(" ms, up to ").append(requestsPerRun);
      b.append(" requests or ").append(fmt(timeLimitSeconds)).append(" s per row.\n\n");
      b.append("| model | role | steps | NFE | clients | requests | errors | p50 ms | p99 ms |");
      b.append(" req/s | mean batch |\n");
      b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Row r : rows) {
        b.append("| ").append(r.model()).append(" | ").append(r.role()).append(" | ");
        b.append(r.steps()).append(" | ").append(r.nfePerSample()).append(" | ");
        b.append(r.clients()).append(" | ").append(r.completed());
        b.append(r.stoppedByTimeLimit() ? " (time limit)" : "").append(" | ");
        b.append(r.errors()).append(" | ").append(fmt(r.p50Ms())).append(" | ");
        b.append(fmt(r.p99Ms())).append(" | ").append(fmt(r.throughputPerSec())).append(" | ");
        b.append(fmt(r.meanBatchSize())).append(" |\n");
      }
      List<String> models = rows.stream().map(Row::model).distinct().toList();
      List<Integer> clients = rows.stream().map(Row::clients).distinct().sorted().toList();
      int lo = clients.get(0);
      int hi = clients.get(clients.size() - 1);
      b.append('\n');
      for (String m : models) {
        if (lo != hi && row(m, lo) != null && row(m, hi) != null) {
          b.append("- ").append(m).append(": throughput at ").append(hi).append(" clients / at ");
          b.append(lo).append(" client(s) = ");
          b.append(fmt(row(m, hi).throughputPerSec() / row(m, lo).throughputPerSec()));
          b.append("x\n");
        }
      }
      for (int i = 0; i < models.size(); i++) {
        for (int j = 0; j < models.size(); j++) {
          double ratio = throughputRatio(models.get(i), models.get(j), hi);
          if (i != j && ratio >= 1) {
            b.append("- ").append(models.get(i)).append(" / ").append(models.get(j));
            b.append(" throughput at ").append(hi).append(" clients = ").append(fmt(ratio));
            b.append("x\n");
          }
        }
      }
      return b.toString();
    }
  }

  /**
   * Runs the load test over {@code models} (artifact directories; each is named by its directory
   * name in the report, or by the parent's name when that is a generic name like "student").
   */
  public static Report run(List<Path> models, Settings s) throws IOException, InterruptedException {
    List<Row> rows = new ArrayList<>();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    int maxClients = s.clients().stream().mapToInt(Integer::intValue).max().orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(maxClients);
    try {
      for (Path dir : models) {
        try (GenerationServer server = GenerationServer.start(dir, s.serve())) {
          for (int c : s.clients()) {
            rows.add(measure(http, pool, server, name(dir), c, s));
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Report(
        Instant.now().toString(),
        machine(),
        s.format().wireName(),
        s.requests(),
        s.duration().toMillis() / 1000.0,
        s.serve().maxBatch(),
        s.serve().batchWindowMs(),
        rows);
  }

  /** Writes the report as JSON to {@code json} and as markdown beside it ({@code .md}). */
  public static Path write(Report report, Path json) throws IOException {
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(json.toFile(), report);
    String name = json.getFileName().toString();
    Path md =
        json.resolveSibling(
            (name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".md");
    Files.writeString(md, report.markdown(), StandardCharsets.UTF_8);
    return md;
  }

  private static Row measure(
      HttpClient http,
      ExecutorService pool,
      GenerationServer server,
      String name,
      int clients,
      Settings s)
      throws InterruptedException {
    ServingModel model = server.model();
    URI uri = server.baseUri().resolve("/v1/generate");
    List<String> classes = model.classNames();
    // Untimed warm-up: one request per client, so connections are open and the JIT is warm.
    runClients(http, pool, uri, classes, clients, clients, Long.MAX_VALUE, s.format(), -1);
    long batches0 = server.metrics().batches();
    long samples0 = server.metrics().batchedSamples();
    long start = System.nanoTime();
    long deadline = start + s.duration().toNanos();
    Result r =
        runClients(
            http, pool, uri, classes, clients, s.requests(), deadline, s.format(), 1_000_000);
    double seconds = (System.nanoTime() - start) / 1e9;
    long batches = server.metrics().batches() - batches0;
    long samples = server.metrics().batchedSamples() - samples0;
    long[] lat = Arrays.copyOf(r.latencies, r.completed);
    Arrays.sort(lat);
    return new Row(
        name,
        model.card().role(),
        model.digest(),
        model.defaultSteps(),
        model.settings(model.defaultSteps()).nfe(),
        clients,
        r.completed,
        r.errors,
        seconds,
        r.completed / seconds,
        percentile(lat, 0.50) / 1e6,
        percentile(lat, 0.99) / 1e6,
        batches == 0 ? 0 : (double) samples / batches,
        r.completed + r.errors < s.requests());
  }

  private record Result(long[] latencies, int completed, int errors) {}

  private static Result runClients(
      HttpClient http,
      ExecutorService pool,
      URI uri,
      List<String> classes,
      int clients,
      int requests,
      long deadlineNanos,
      AssetFormat format,
      long seedBase)
      throws InterruptedException {
    AtomicInteger tickets = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    long[] latencies = new long[requests];
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      running.add(
          pool.submit(
              () -> {
                int i;
                while ((i = tickets.getAndIncrement()) < requests
                    && System.nanoTime() < deadlineNanos) {
                  String body =
                      String.format(
                          Locale.ROOT,
                          "{\"class\":\"%s\",\"seed\":%d,\"format\":\"%s\"}",
                          classes.get(i % classes.size()),
                          seedBase + i,
                          format.wireName());
                  HttpRequest req =
                      HttpRequest.newBuilder(uri)
                          .timeout(Duration.ofSeconds(60))
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString(body))
                          .build();
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> r =
                        http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    long t = System.nanoTime() - t0;
                    if (r.statusCode() == 200) {
                      latencies[completed.getAndIncrement()] = t;
                    } else {
                      errors.incrementAndGet();
                    }
                  } catch (IOException e) {
                    errors.incrementAndGet();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              }));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("load-test client failed", e.getCause());
      }
    }
    return new Result(latencies, completed.get(), errors.get());
  }

  /** Nearest-rank percentile of sorted values; NaN when empty. */
  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static String name(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    String n = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    Path parent = abs.getParent();
    if ((n.equals("teacher") || n.equals("student"))
        && parent != null
        && parent.getFileName() != null) {
      return parent.getFileName() + "/" + n;
    }
    return n;
  }

  static String machine() {
    return Runtime.getRuntime().availableProcessors()
        + " CPU cores, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch")
        + ", Java "
        + System.getProperty("java.version");
  }

  private static String fmt(double d) {
    return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.1f", d);
  }
}
