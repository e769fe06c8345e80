package io.distillery.operator.testing.fakes;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A real HTTP endpoint standing in for a trainer's {@code GET /progress} on 127.0.0.1. */
public final class FakeProgressServer implements AutoCloseable {
  private final HttpServer server;
  private volatile String body = "{}";
  private volatile int status = 200;

  public FakeProgressServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/progress",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void answer(int status, String body) {
    this.status = status;
    this.body = body;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
