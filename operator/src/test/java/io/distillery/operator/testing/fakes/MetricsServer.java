package io.distillery.operator.testing.fakes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP endpoint standing in for {@code mdt serve}'s {@code GET /metrics} on 127.0.0.1 (the
 * Prometheus text with {@code mdt_serve_requests_total{outcome,traffic}} and the latency histogram
 * {@code mdt_serve_request_duration_seconds}). Tests move the counters; probe traffic is counted
 * apart, as {@code mdt serve} does.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private volatile long ok;
  private volatile long errors;
  private volatile long badRequests;
  private volatile long probeErrors;
  private final java.util.TreeMap<Double, Long> latency = new java.util.TreeMap<>();

  public MetricsServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] bytes = text().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Adds to the counters (every pod reading this server reports the same numbers). */
  public synchronized void count(long okRequests, long errorRequests, long badRequestCount) {
    ok += okRequests;
    errors += errorRequests;
    badRequests += badRequestCount;
  }

  /** Probe requests that ended in a server error: they must not count against the canary. */
  public synchronized void probeErrors(long n) {
    probeErrors += n;
  }

  /** Records {@code n} user requests that took {@code seconds} each in the latency histogram. */
  public synchronized void observe(double seconds, long n) {
    for (double le : BOUNDS) {
      if (seconds <= le) {
        latency.merge(le, n, Long::sum);
      }
    }
    latency.merge(Double.POSITIVE_INFINITY, n, Long::sum);
  }

  private static final double[] BOUNDS = {0.001, 0.01, 0.1, 0.25, 0.5, 1, 2.5, 10};

  private synchronized String text() {
    StringBuilder histogram = new StringBuilder();
    for (double le : BOUNDS) {
      histogram.append(
          "mdt_serve_request_duration_seconds_bucket{steps=\"1\",format=\"ply\",traffic=\"user\",le=\"%s\"} %d\n"
              .formatted(le, latency.getOrDefault(le, 0L)));
    }
    long count = latency.getOrDefault(Double.POSITIVE_INFINITY, 0L);
    return """
        # HELP mdt_serve_requests_total Generate requests by outcome.
        # TYPE mdt_serve_requests_total counter
        mdt_serve_requests_total{outcome="ok",traffic="user"} %d.0
        mdt_serve_requests_total{outcome="bad_request",traffic="user"} %d.0
        mdt_serve_requests_total{outcome="error",traffic="user"} %d.0
        mdt_serve_requests_total{outcome="error",traffic="probe"} %d.0
        # HELP mdt_serve_request_duration_seconds Generate request latency.
        # TYPE mdt_serve_request_duration_seconds histogram
        %smdt_serve_request_duration_seconds_bucket{steps="1",format="ply",traffic="user",le="+Inf"} %d
        mdt_serve_request_duration_seconds_count{steps="1",format="ply",traffic="user"} %d
        # HELP mdt_serve_ready 1 while ready.
        # TYPE mdt_serve_ready gauge
        mdt_serve_ready 1.0
        """
        .formatted(ok, badRequests, errors, probeErrors, histogram, count, count);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
