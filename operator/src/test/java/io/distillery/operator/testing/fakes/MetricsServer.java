package io.distillery.operator.testing.fakes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP endpoint standing in for {@code mdt serve}'s {@code GET /metrics} on 127.0.0.1 (the
 * Prometheus text with {@code mdt_serve_requests_total{outcome}}). Tests move the counters.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private volatile long ok;
  private volatile long errors;
  private volatile long badRequests;

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

  private String text() {
    return """
        # HELP mdt_serve_requests_total Generate requests by outcome.
        # TYPE mdt_serve_requests_total counter
        mdt_serve_requests_total{outcome="ok"} %d.0
        mdt_serve_requests_total{outcome="bad_request"} %d.0
        mdt_serve_requests_total{outcome="error"} %d.0
        # HELP mdt_serve_ready 1 while ready.
        # TYPE mdt_serve_ready gauge
        mdt_serve_ready 1.0
        """
        .formatted(ok, badRequests, errors);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
