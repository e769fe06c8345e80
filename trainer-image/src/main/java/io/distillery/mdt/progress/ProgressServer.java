package io.distillery.mdt.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfigs;
import io.distillery.config.TrainerProgress;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP endpoint of a training run (Vert.x web): {@code GET /progress} returns the latest {@link
 * TrainerProgress} as JSON and {@code GET /metrics} the Prometheus exposition of {@link
 * TrainingMetrics}. Updates only swap a reference, so serving never slows the training thread.
 */
public final class ProgressServer implements TrainingMonitor {
  private final Vertx vertx = Vertx.vertx();
  private final TrainingMetrics metrics;
  private final AtomicReference<TrainerProgress> latest = new AtomicReference<>();
  private HttpServer server;

  private ProgressServer(long maxSteps, int batchSize) {
    this.metrics = new TrainingMetrics(batchSize);
    TrainerProgress p = new TrainerProgress();
    p.phase = "starting";
    p.maxSteps = maxSteps;
    p.updatedAtMillis = System.currentTimeMillis();
    latest.set(p);
  }

  /** Environment variable naming the interface to bind instead of all of them. */
  public static final String BIND_ADDRESS_ENV = "MDT_BIND_ADDRESS";

  /**
   * Starts serving on {@code port} (0 picks a free one) on all interfaces, as a pod needs, or on
   * {@code $MDT_BIND_ADDRESS} where a host runs several trainers side by side; fails naming the
   * port when it is taken.
   */
  public static ProgressServer start(int port, long maxSteps, int batchSize) {
    ProgressServer s = new ProgressServer(maxSteps, batchSize);
    try {
      s.listen(port);
      return s;
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      s.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e.getCause() == null ? e : e.getCause();
      // A configuration problem (exit 2, one line), as a busy --port is for mdt serve.
      throw new InvalidConfigException(
          "cannot serve progress on port "
              + port
              + " (--progress-port, config progressPort): "
              + cause.getMessage()
              + "; choose another port, or 0 for none");
    }
  }

  private void listen(int port) throws ExecutionException, TimeoutException, InterruptedException {
    Router router = Router.router(vertx);
    router
        .get("/progress")
        .handler(
            ctx -> {
              try {
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(TrainerConfigs.json().writeValueAsString(latest.get()));
              } catch (JsonProcessingException e) {
                ctx.fail(e);
              }
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", TrainingMetrics.contentType())
                    .end(metrics.scrape()));
    server =
        vertx
            .createHttpServer()
            .requestHandler(router)
            .listen(port, bindAddress())
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  static String bindAddress() {
    return bindAddress(System.getenv());
  }

  /** {@code $MDT_BIND_ADDRESS} of {@code env}, else all interfaces. */
  static String bindAddress(Map<String, String> env) {
    String address = env.get(BIND_ADDRESS_ENV);
    return address == null || address.isBlank() ? "0.0.0.0" : address.strip();
  }

  /** The port actually bound. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public void update(TrainerProgress progress) {
    latest.set(progress);
    metrics.update(progress);
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
