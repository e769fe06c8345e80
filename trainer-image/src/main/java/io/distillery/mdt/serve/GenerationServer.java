package io.distillery.mdt.serve;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.CanaryProbeReport;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP server of {@code mdt serve}: {@code POST /v1/generate}, {@code GET /v1/model}, {@code
 * GET /healthz}, {@code GET /readyz}, {@code GET /metrics} (see SERVING.md).
 *
 * <p>Built on Vert.x web: the event-loop stack Quarkus REST itself runs on, small, already in the
 * image for the training progress endpoint, so serving adds no second framework. The event loop
 * only parses and answers; the model runs on the {@link BatchScheduler}'s worker thread and assets
 * are encoded on a small encoder pool.
 *
 * <p>One model replica and one batch queue per device ({@link ServingDevices}: every visible GPU,
 * or the CPU once unless {@code --replicas} says more); the {@link Dispatcher} sends each request
 * to the least-loaded queue, and 429 comes only when every queue is full.
 *
 * <p>In-process use (tests, the load test):
 *
 * <pre>{@code
 * try (GenerationServer s = GenerationServer.start(modelDir, ServeOptions.loopback())) {
 *   URI base = s.baseUri(); // http://127.0.0.1:<port>
 * } // close(): readiness false, new requests 503, queued and running requests finish, then stop
 * }</pre>
 *
 * Or {@link #listen} first (live, not ready) and {@link #load} later, as {@code mdt serve} does so
 * that a pod's liveness probe answers while the model loads.
 */
public final class GenerationServer implements AutoCloseable {
  /** Lifecycle; only {@code READY} accepts generate requests. */
  public enum State {
    STARTING,
    LOADING,
    WARMING,
    READY,
    DRAINING,
    STOPPED
  }

  private static final System.Logger LOG = System.getLogger(GenerationServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServeOptions options;
  private final Vertx vertx = Vertx.vertx();
  private final ServingMetrics metrics = new ServingMetrics();
  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final EmptySamples emptySamples = new EmptySamples(System::nanoTime);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ViewerPage viewerPage = new ViewerPage();
  private final ExecutorService encoders =
      Executors.newFixedThreadPool(
          Math.max(2, Runtime.getRuntime().availableProcessors()),
          r -> {
            Thread t = new Thread(r, "mdt-serve-encoder");
            t.setDaemon(true);
            return t;
          });
  private volatile ServingModel model;
  private volatile Dispatcher dispatcher;
  private volatile List<ServingModel> loadedModels = List.of();
  private volatile byte[] modelInfo;
  private volatile GenerationRequest.Limits limits;
  private HttpServer server;

  private GenerationServer(ServeOptions options) {
    this.options = options;
  }

  /** Binds the port and answers liveness; not ready until {@link #load}. */
  public static GenerationServer listen(ServeOptions options) {
    GenerationServer s = new GenerationServer(options);
    try {
      s.server =
          s.vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, options.idleTimeoutMs()))
                      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
              .requestHandler(s.router())
              .invalidRequestHandler(InvalidRequests::answer)
              .listen(options.port(), options.host())
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      return s;
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      s.vertx.close();
      s.encoders.shutdownNow();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + cause.getMessage(),
          cause);
    }
  }

  /** Listens, loads and warms up: ready when this returns. */
  public static GenerationServer start(Path modelDir, ServeOptions options) throws IOException {
    GenerationServer s = listen(options);
    try {
      s.load(modelDir);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Loads and verifies the artifact on every replica's device, runs one batch of {@code maxBatch}
   * samples at each warm-up step count ({@link ServingModel#warmUpSteps()}) on each and encodes one
   * asset in every format, then turns ready. A device choice the machine cannot meet ({@code gpu}
   * without a visible GPU) throws {@link io.distillery.config.InvalidConfigException} naming what
   * was found.
   */
  public void load(Path modelDir) throws IOException {
    load(device -> ServingModel.load(modelDir, device));
  }

  /**
   * As {@link #load(Path)} for a structure and an appearance stage in two directories, served as
   * the pipeline of the two ({@link ServingModel#loadPair}).
   */
  public void load(Path structureDir, Path appearanceDir) throws IOException {
    load(device -> ServingModel.loadPair(structureDir, appearanceDir, device));
  }

  private interface Loader {
    ServingModel load(Device device) throws IOException;
  }

  private void load(Loader loader) throws IOException {
    if (!state.compareAndSet(State.STARTING, State.LOADING)) {
      throw new IllegalStateException("load() is only possible once, before close()");
    }
    List<Device> devices = ServingDevices.forReplicas(options.device(), options.replicas());
    List<String> labels = ServingDevices.labels(devices);
    // close() may run meanwhile on another thread and frees what is here (closing is idempotent).
    List<ServingModel> models = new CopyOnWriteArrayList<>();
    loadedModels = models;
    List<Replica> replicas = new ArrayList<>();
    try {
      for (Device device : devices) {
        ServingModel m = loader.load(device);
        models.add(m);
        if (options.steps() != null) {
          m.useDefaultSteps(options.steps());
        }
      }
      if (!state.compareAndSet(State.LOADING, State.WARMING)) {
        closeAll(models); // close() ran while loading
        return;
      }
      for (int i = 0; i < models.size(); i++) {
        warmUp(models.get(i), i == 0);
      }
      ServingModel first = models.get(0);
      modelInfo = JSON.writeValueAsBytes(ModelInfo.of(first, options.maxCount()));
      limits = GenerationRequest.Limits.of(first, options.maxCount());
      for (int i = 0; i < models.size(); i++) {
        metrics.replica(labels.get(i));
        replicas.add(
            new Replica(
                labels.get(i),
                models.get(i),
                new BatchScheduler(labels.get(i), models.get(i), metrics, options)));
      }
      dispatcher = new Dispatcher(replicas);
      model = first;
    } catch (RuntimeException | IOException e) {
      replicas.forEach(r -> r.scheduler().stopAccepting());
      closeAll(models);
      throw e;
    }
    if (!state.compareAndSet(State.WARMING, State.READY)) {
      // close() ran during warm-up: stop here (closing twice is harmless).
      dispatcher.stopAccepting();
      closeAll(models);
      return;
    }
    metrics.ready(true);
    LOG.log(
        System.Logger.Level.INFO,
        "serving {0} ({1}, {2} steps) on {3} with {4} replica(s): {5}",
        model.digest(),
        model.role(),
        model.defaultSteps(),
        baseUri(),
        replicas.size(),
        String.join(", ", labels));
  }

  /**
   * One batch of {@code maxBatch} at each warm-up step count, so the device's kernels are ready;
   * with {@code encode} (once per server: the encoders are shared) one asset in every format, so
   * class loading, fonts and the JIT are done before readiness (and AWT never initialises during a
   * shutdown, when it cannot register hooks).
   */
  private void warmUp(ServingModel m, boolean encode) throws IOException {
    float[][] samples = null;
    for (int steps : m.warmUpSteps()) {
      int n = options.maxBatch();
      samples = m.generate(steps, new int[n], new long[n]);
    }
    if (!encode) {
      return;
    }
    for (AssetFormat f : AssetFormat.values()) {
      if ((f.needsOccupancy() && !m.occupancy()) || (f == AssetFormat.OBJ && m.coloured())) {
        continue;
      }
      GenerationRequest r =
          new GenerationRequest(0, m.classNames().get(0), 0, m.defaultSteps(), f, 1);
      AssetEncoder.encode(
          r, new float[][] {samples[0]}, m.channels(), m.resolution(), m.coloured());
    }
  }

  private static void closeAll(List<ServingModel> models) {
    models.forEach(ServingModel::close);
  }

  public State state() {
    return state.get();
  }

  public boolean ready() {
    return state.get() == State.READY;
  }

  /** The port actually bound. */
  public int port() {
    return server.actualPort();
  }

  /** {@code http://host:port}; the wildcard address is given as 127.0.0.1. */
  public URI baseUri() {
    String host = "0.0.0.0".equals(options.host()) ? "127.0.0.1" : options.host();
    return URI.create("http://" + host + ":" + port());
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  /** The loaded model (the first replica's), null before {@link #load}. */
  public ServingModel model() {
    return model;
  }

  /** The replicas' metrics labels ({@code gpu0}, ... or {@code cpu0}, ...); empty before load. */
  public List<String> replicaDevices() {
    Dispatcher d = dispatcher;
    return d == null ? List.of() : d.replicas().stream().map(Replica::device).toList();
  }

  /** Accepted generate requests not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Blocks until {@link #close()} has finished (for {@code mdt serve}'s main thread). */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Graceful shutdown, idempotent: readiness turns false and new generate requests get 503; queued
   * and running requests finish and are answered (up to the drain timeout); then the port closes
   * and the model is freed.
   */
  @Override
  public void close() {
    State before = state.getAndUpdate(s -> s == State.STOPPED ? s : State.DRAINING);
    if (before == State.STOPPED || before == State.DRAINING) {
      awaitQuietly();
      return;
    }
    metrics.ready(false);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMs());
    try {
      Dispatcher d = dispatcher;
      if (d != null && !d.drain(options.drainTimeoutMs())) {
        LOG.log(System.Logger.Level.WARNING, "drain timed out with requests still queued");
      }
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
      encoders.shutdownNow();
      closeAll(loadedModels);
      state.set(State.STOPPED);
      stopped.countDown();
    }
  }

  private void awaitQuietly() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Router router() {
    Router r = Router.router(vertx);
    r.post("/v1/generate")
        .handler(BodyHandler.create(false).setBodyLimit(ServeOptions.MAX_BODY_BYTES))
        .handler(this::requireJson)
        .handler(this::generate);
    // HEAD is answered like GET; Vert.x sends the headers and drops the body.
    r.route("/v1/model").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::modelInfo);
    r.route("/healthz")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> json(ctx.response(), 200, "{\"status\":\"live\"}"));
    r.route("/readyz").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::readiness);
    r.route("/metrics")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", ServingMetrics.contentType())
                    .end(metrics.scrape()));
    // The viewer page: pick a class, step count and seed, see the shape (three.js, no CDN).
    r.route("/")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> viewer(ctx, "index.html"));
    r.routeWithRegex("/viewer/(.+)")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> viewer(ctx, ctx.pathParam("param0")));
    r.route().failureHandler(this::failure);
    r.errorHandler(404, ctx -> error(ctx.response(), 404, null, "no such endpoint"));
    r.errorHandler(
        405, ctx -> error(ctx.response(), 405, null, "method not allowed on this endpoint"));
    return r;
  }

  private void viewer(RoutingContext ctx, String path) {
    viewerPage
        .file(path)
        .ifPresentOrElse(
            bytes ->
                ctx.response()
                    .putHeader("content-type", ViewerPage.contentType(path))
                    .putHeader("cache-control", "no-cache")
                    .end(bytes),
            () -> error(ctx.response(), 404, null, "no such endpoint"));
  }

  private void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!base.equals("application/json")) {
      metrics.outcome(ServingMetrics.BAD_REQUEST, traffic(ctx));
      error(
          ctx.response(),
          415,
          "Content-Type",
          "Content-Type must be application/json, got "
              + (type == null ? "none" : "'" + type + "'"));
      return;
    }
    ctx.next();
  }

  private void generate(RoutingContext ctx) {
    long arrived = System.nanoTime();
    ServingModel m = model;
    if (state.get() != State.READY || m == null) {
      unavailable(ctx);
      return;
    }
    GenerationRequest req;
    try {
      req = GenerationRequest.parse(ctx.body().asString(), limits);
    } catch (ApiException e) {
      metrics.outcome(ServingMetrics.BAD_REQUEST, traffic(ctx));
      error(ctx.response(), e.status(), e.field(), e.getMessage());
      return;
    }
    Dispatcher.Dispatched dispatched;
    inFlight(+1);
    try {
      dispatched = dispatcher.submit(req);
    } catch (BatchScheduler.QueueFullException e) {
      inFlight(-1);
      metrics.outcome(ServingMetrics.REJECTED, traffic(ctx));
      ctx.response().putHeader("Retry-After", "1");
      error(ctx.response(), 429, null, "too many requests: the queue is full, retry later");
      return;
    } catch (BatchScheduler.StoppedException e) {
      inFlight(-1);
      unavailable(ctx);
      return;
    }
    // Two hops: the model thread hands the samples to an encoder thread, which hands the bytes to
    // this request's event loop.
    Context context = vertx.getOrCreateContext();
    BatchScheduler batcher = dispatched.replica().scheduler();
    dispatched
        .output()
        .thenApplyAsync(
            out ->
                new Encoded(
                    out,
                    AssetEncoder.encodeForResponse(
                        req, out.samples(), m.channels(), m.resolution(), m.coloured()),
                    // Channel 0 of a pipeline's sample is its thresholded structure.
                    EmptySamples.count(
                        out.samples(), m.occupancy() ? 1 : m.channels(), m.resolution())),
            encoders)
        .whenComplete(
            (encoded, failure) ->
                context.runOnContext(
                    v -> {
                      try {
                        if (failure == null) {
                          respond(ctx.response(), m, req, encoded, traffic(ctx), arrived);
                        } else {
                          LOG.log(System.Logger.Level.ERROR, "generation failed", failure);
                          metrics.outcome(ServingMetrics.ERROR, traffic(ctx));
                          error(
                              ctx.response(), 500, null, "generation failed (see the server log)");
                        }
                      } finally {
                        inFlight(-1);
                        batcher.answered();
                      }
                    }));
  }

  /** {@code empty}: samples with no filled voxel, -1 for a multi-channel model. */
  private record Encoded(BatchScheduler.Output out, Buffer body, int empty) {}

  private void respond(
      HttpServerResponse response,
      ServingModel m,
      GenerationRequest req,
      Encoded e,
      String traffic,
      long arrivedNanos) {
    response
        .setStatusCode(200)
        .putHeader("content-type", req.format().contentType())
        .putHeader("X-Model-Digest", m.digest())
        .putHeader("X-Steps", Integer.toString(req.steps()))
        .putHeader("X-Seed", Long.toString(req.seed()))
        .putHeader("X-Count", Integer.toString(req.count()))
        .putHeader("X-Batch-Size", Integer.toString(e.out().batchSize()))
        .putHeader("X-Queue-Ms", millis(e.out().queueNanos()))
        .putHeader("X-Generation-Ms", millis(e.out().generationNanos()));
    if (e.empty() >= 0) {
      // Still a 200: the request was valid; the count tells the client the shapes are empty.
      response.putHeader("X-Empty-Samples", Integer.toString(e.empty()));
    }
    response
        .putHeader(
            "Content-Disposition",
            "inline; filename=\""
                + req.className()
                + "-"
                + req.seed()
                + "."
                + (req.format() == AssetFormat.VOXELS ? "json" : req.format().wireName())
                + "\"")
        .end(e.body());
    metrics.outcome(ServingMetrics.OK, traffic);
    metrics.latency(req.steps(), req.format(), traffic, (System.nanoTime() - arrivedNanos) / 1e9);
    if (e.empty() > 0) {
      metrics.emptySamples(req.steps(), e.empty());
    }
    EmptySamples.log(emptySamples.record(e.empty(), req.count(), req.steps()));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private void inFlight(int delta) {
    metrics.inFlight(inFlight.addAndGet(delta));
  }

  /** {@code user} or {@code probe} ({@link CanaryProbeReport#PROBE_HEADER}), for the metrics. */
  private static String traffic(RoutingContext ctx) {
    return ServingMetrics.traffic(ctx.request().getHeader(CanaryProbeReport.PROBE_HEADER));
  }

  private void unavailable(RoutingContext ctx) {
    metrics.outcome(ServingMetrics.UNAVAILABLE, traffic(ctx));
    ctx.response().putHeader("Retry-After", "1");
    error(ctx.response(), 503, null, "not ready: " + state.get().name().toLowerCase(Locale.ROOT));
  }

  private void modelInfo(RoutingContext ctx) {
    byte[] info = modelInfo;
    if (info == null) {
      error(ctx.response(), 503, null, "no model loaded yet");
      return;
    }
    ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(info));
  }

  private void readiness(RoutingContext ctx) {
    State s = state.get();
    String body = "{\"status\":\"" + s.name().toLowerCase(Locale.ROOT) + "\"}";
    json(ctx.response(), s == State.READY ? 200 : 503, body);
  }

  /** Answers a failed route (oversized body, unexpected exception) with a JSON error. */
  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (ctx.failure() instanceof ApiException e) {
      error(ctx.response(), e.status(), e.field(), e.getMessage());
      return;
    }
    if (ctx.failure() instanceof HttpClosedException) {
      // The client hung up mid-upload: nobody to answer and nothing wrong with the server.
      if (ctx.request().path().equals("/v1/generate")) {
        metrics.outcome(ServingMetrics.ABORTED, traffic(ctx));
      }
      LOG.log(System.Logger.Level.DEBUG, "client closed the connection: {0}", ctx.request().path());
      return;
    }
    if (ctx.request().path().equals("/v1/generate")) {
      metrics.outcome(
          status == 413 || status == 400 ? ServingMetrics.BAD_REQUEST : ServingMetrics.ERROR,
          traffic(ctx));
    }
    if (status == 413) {
      error(
          ctx.response(),
          413,
          "body",
          "request body exceeds " + ServeOptions.MAX_BODY_BYTES + " bytes");
    } else if (status >= 400 && status < 500) {
      error(ctx.response(), status, null, "bad request");
    } else {
      LOG.log(System.Logger.Level.ERROR, "request failed", ctx.failure());
      error(ctx.response(), 500, null, "internal error (see the server log)");
    }
  }

  static void error(HttpServerResponse response, int status, String field, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("error", message);
    if (field == null) {
      o.putNull("field");
    } else {
      o.put("field", field);
    }
    json(response, status, o.toString());
  }

  private static void json(HttpServerResponse response, int status, String body) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }
}
