package io.distillery.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets on loopback: the timeout holds for the body too, and the size cap holds. */
class BoundedGetTest {
  final BoundedGet get = new BoundedGet(Duration.ofMillis(500), 1024);

  @Test
  void readsAWholeAnswer() throws Exception {
    try (ServerSocket server = serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0)) {
      var response = get.get(uri(server), "text/plain");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(new String(response.body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
    }
  }

  @Test
  @Timeout(20)
  void anAnswerThatStallsAfterItsHeadersFailsWithinTheTimeout() throws Exception {
    try (ServerSocket server =
        serve("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\"", 15_000)) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> get.get(uri(server), "text/plain"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no complete answer within 500 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void anAnswerOverTheLimitFails() throws Exception {
    String body = "x".repeat(4096);
    try (ServerSocket server =
        serve("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, 0)) {
      assertThatThrownBy(() -> get.get(uri(server), "text/plain"))
          .hasMessageContaining("larger than 1024 bytes");
    }
  }

  /** A one-connection server that writes {@code answer} and then holds the socket open. */
  private static ServerSocket serve(String answer, long holdMillis) throws IOException {
    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept()) {
                s.getInputStream().read(new byte[4096]);
                s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(holdMillis);
              } catch (Exception ignored) {
                // The test is over.
              }
            });
    t.setDaemon(true);
    t.start();
    return server;
  }

  private static URI uri(ServerSocket server) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
  }
}
