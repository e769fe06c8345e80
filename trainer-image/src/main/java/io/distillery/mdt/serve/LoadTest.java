package io.distillery.mdt.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code mdt loadtest}: a bounded closed-loop load test on loopback. For each model it starts a
 * {@link GenerationServer} in this process on 127.0.0.1, and for each client count runs that many
 * clients (Vert.x HTTP client connections on one event loop), each sending its next request as soon
 * as the previous one is answered, until {@code requests} requests are done or {@code duration} has
 * passed, whichever comes first. It never talks to anything but its own loopback server.
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
      double modelBusyPercent,
      boolean stoppedByTimeLimit) {}

  /**
   * What the model alone computes: samples per second of back-to-back model calls of {@code batch}
   * samples (noise included, no HTTP, no encoding), the ceiling serving can approach.
   */
  public record ModelLimit(String model, int batch, int calls, double samplesPerSec) {}

  /** The whole run. */
  public record Report(
      String date,
      String machine,
      String format,
      int requestsPerRun,
      double timeLimitSeconds,
      int maxBatch,
      int batchWindowMs,
      List<Row> rows,
      List<ModelLimit> modelLimits) {

    public ModelLimit modelLimit(String model) {
      return modelLimits.stream().filter(l -> l.model().equals(model)).findFirst().orElse(null);
    }

    /** Model-alone samples/s of {@code a} over {@code b}, or NaN. */
    public double modelLimitRatio(String modelA, String modelB) {
      ModelLimit a = modelLimit(modelA);
      ModelLimit b = modelLimit(modelB);
      return a == null || b == null ? Double.NaN : a.samplesPerSec() / b.samplesPerSec();
    }

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
      b.append(" req/s | mean batch | model busy % |\n");
      b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Row r : rows) {
        b.append("| ").append(r.model()).append(" | ").append(r.role()).append(" | ");
        b.append(r.steps()).append(" | ").append(r.nfePerSample()).append(" | ");
        b.append(r.clients()).append(" | ").append(r.completed());
        b.append(r.stoppedByTimeLimit() ? " (time limit)" : "").append(" | ");
        b.append(r.errors()).append(" | ").append(fmt(r.p50Ms())).append(" | ");
        b.append(fmt(r.p99Ms())).append(" | ").append(fmt(r.throughputPerSec())).append(" | ");
        b.append(fmt(r.meanBatchSize())).append(" | ").append(fmt(r.modelBusyPercent()));
        b.append(" |\n");
      }
      List<String> models = rows.stream().map(Row::model).distinct().toList();
      List<Integer> clients = rows.stream().map(Row::clients).distinct().sorted().toList();
      int lo = clients.get(0);
      int hi = clients.get(clients.size() - 1);
      if (!modelLimits.isEmpty()) {
        b.append("\nModel alone (back-to-back model calls, noise included, no HTTP):");
        for (ModelLimit l : modelLimits) {
          b.append(' ').append(l.model()).append(' ').append(fmt(l.samplesPerSec()));
          b.append(" samples/s at batch ").append(l.batch()).append(';');
        }
        b.setLength(b.length() - 1);
        b.append(".\n");
      }
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
            b.append("x; model limit (model calls alone");
            ModelLimit l = modelLimit(models.get(i));
            if (l != null) {
              b.append(", batch ").append(l.batch());
            }
            b.append(") = ").append(fmt(modelLimitRatio(models.get(i), models.get(j))));
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
    List<ModelLimit> limits = new ArrayList<>();
    int maxClients = s.clients().stream().mapToInt(Integer::intValue).max().orElseThrow();
    // One event loop drives every client: a client costs no thread, and the load generator
    // takes at most one core from the server it measures.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000),
            new PoolOptions().setHttp1MaxSize(maxClients));
    try {
      for (Path dir : models) {
        try (GenerationServer server = GenerationServer.start(dir, s.serve())) {
          for (int c : s.clients()) {
            rows.add(measure(http, server, name(dir), c, s));
          }
          // After the clients are done, so the worker that owns the model is idle.
          limits.add(modelLimit(server.model(), name(dir), s.serve().maxBatch()));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    return new Report(
        Instant.now().toString(),
        machine(),
        s.format().wireName(),
        s.requests(),
        s.duration().toMillis() / 1000.0,
        s.serve().maxBatch(),
        s.serve().batchWindowMs(),
        rows,
        limits);
  }

  /** Seconds of back-to-back model calls behind one {@link ModelLimit}. */
  private static final double MODEL_LIMIT_SECONDS = 2;

  /**
   * Times back-to-back model calls of {@code batch} samples (after one untimed call) for at least
   * {@link #MODEL_LIMIT_SECONDS} and two calls.
   */
  static ModelLimit modelLimit(ServingModel model, String name, int batch) {
    int steps = model.defaultSteps();
    int[] classes = new int[batch];
    long[] seeds = new long[batch];
    for (int i = 0; i < batch; i++) {
      classes[i] = i % model.classNames().size();
      seeds[i] = i;
    }
    model.generate(steps, classes, seeds);
    int calls = 0;
    long start = System.nanoTime();
    long elapsed;
    do {
      model.generate(steps, classes, seeds);
      calls++;
      elapsed = System.nanoTime() - start;
    } while (calls < 2 || elapsed < MODEL_LIMIT_SECONDS * 1e9);
    return new ModelLimit(name, batch, calls, (double) calls * batch / (elapsed / 1e9));
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
      HttpClient http, GenerationServer server, String name, int clients, Settings s)
      throws InterruptedException {
    ServingModel model = server.model();
    Target target = new Target(server.port(), model.classNames(), s.format());
    // Untimed warm-up: one request per client, so connections are open and the JIT is warm.
    run(http, target, clients, clients, Long.MAX_VALUE, -1);
    long batches0 = server.metrics().batches();
    long samples0 = server.metrics().batchedSamples();
    long model0 = server.metrics().modelNanos();
    long start = System.nanoTime();
    Result r = run(http, target, clients, s.requests(), start + s.duration().toNanos(), 1_000_000);
    double seconds = (System.nanoTime() - start) / 1e9;
    long batches = server.metrics().batches() - batches0;
    long samples = server.metrics().batchedSamples() - samples0;
    double busy = (server.metrics().modelNanos() - model0) / 1e9 / seconds * 100;
    long[] lat = Arrays.copyOf(r.latencies, r.completed);
    Arrays.sort(lat);
    return new Row(
        name,
        model.role(),
        model.digest(),
        model.defaultSteps(),
        model.nfePerSample(model.defaultSteps()),
        clients,
        r.completed,
        r.errors,
        seconds,
        r.completed / seconds,
        percentile(lat, 0.50) / 1e6,
        percentile(lat, 0.99) / 1e6,
        batches == 0 ? 0 : (double) samples / batches,
        busy,
        r.completed + r.errors < s.requests());
  }

  private record Target(int port, List<String> classes, AssetFormat format) {
    String body(long seed) {
      return String.format(
          Locale.ROOT,
          "{\"class\":\"%s\",\"seed\":%d,\"format\":\"%s\"}",
          classes.get((int) Math.floorMod(seed, (long) classes.size())),
          seed,
          format.wireName());
    }
  }

  private record Result(long[] latencies, int completed, int errors) {}

  /** Per-run counters; touched only on the client event loop. */
  private static final class Run {
    final long[] latencies;
    final int requests;
    final long deadline;
    final long seedBase;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    int issued;
    int completed;
    int errors;
    int active;

    Run(int requests, long deadline, long seedBase) {
      this.latencies = new long[requests];
      this.requests = requests;
      this.deadline = deadline;
      this.seedBase = seedBase;
    }
  }

  /** {@code clients} closed-loop clients share {@code requests} tickets until the deadline. */
  private static Result run(
      HttpClient http, Target target, int clients, int requests, long deadline, long seedBase)
      throws InterruptedException {
    Run run = new Run(requests, deadline, seedBase);
    run.active = clients;
    for (int c = 0; c < clients; c++) {
      next(http, target, run);
    }
    try {
      run.done.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("load-test client failed", e.getCause());
    }
    return new Result(run.latencies, run.completed, run.errors);
  }

  /** Sends this client's next request, or retires the client when tickets or time ran out. */
  private static void next(HttpClient http, Target target, Run run) {
    if (run.issued >= run.requests || System.nanoTime() >= run.deadline) {
      if (--run.active == 0) {
        run.done.complete(null);
      }
      return;
    }
    long seed = run.seedBase + run.issued++;
    long t0 = System.nanoTime();
    http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(target.port())
                .setURI("/v1/generate")
                .setTimeout(60_000)
                .putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(target.body(seed)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() == 200) {
                run.latencies[run.completed++] = System.nanoTime() - t0;
              } else {
                run.errors++;
              }
              next(http, target, run);
            });
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
