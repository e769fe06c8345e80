package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fakes.FakeProgressServer;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Statuses;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real HTTP on loopback: good answers parse; every bad one is a failed reading, not a throw. */
class TrainerProgressClientTest {
  final FakeProgressServer server = new FakeProgressServer();
  final TrainerProgressClient client = new TrainerProgressClient(Duration.ofMillis(500));

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void readsTheTrainersProgressFromThePodIpAndNamedPort() {
    server.answer(
        200, "{\"phase\":\"training\",\"step\":5,\"maxSteps\":10,\"percent\":50,\"future\":1}");
    var reading = client.read(pod("127.0.0.1", server.port()));
    assertThat(reading.error()).isNull();
    assertThat(reading.progress().step).isEqualTo(5);
    assertThat(reading.progress().phase).isEqualTo("training");
  }

  @Test
  void malformedOversizedAndErrorAnswersAreFailedReadings() {
    Pod pod = pod("127.0.0.1", server.port());
    server.answer(200, "{\"step\": \"many\"");
    assertThat(client.read(pod).progress()).isNull();
    server.answer(200, "{\"phase\":\"" + "x".repeat(TrainerProgressClient.MAX_BYTES) + "\"}");
    assertThat(client.read(pod).error()).contains("larger than");
    server.answer(500, "{}");
    assertThat(client.read(pod).error()).isEqualTo("HTTP 500");
  }

  @Test
  void unreachableOrUnaddressedPodsAreFailedReadings() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThat(client.read(pod("127.0.0.1", closedPort)).progress()).isNull();
    assertThat(client.read(pod(null, server.port())).error()).contains("no IP");
  }

  @Test
  @Timeout(20)
  void aTrainerThatStallsMidAnswerIsAFailedReadingWithinTheTimeout() throws Exception {
    // Headers and the start of a body, then silence with the connection open: a reader without
    // a deadline on the body blocks here for good.
    try (ServerSocket stalling = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer =
          new Thread(
              () -> {
                try (Socket s = stalling.accept()) {
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"phase\""
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                  Thread.sleep(15_000);
                } catch (Exception ignored) {
                  // The test is over.
                }
              });
      answer.setDaemon(true);
      answer.start();
      long t0 = System.nanoTime();
      var reading = client.read(pod("127.0.0.1", stalling.getLocalPort()));
      assertThat(reading.progress()).isNull();
      assertThat(reading.error()).contains("no complete answer");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void portDefaultsToTheTrainersProgressPort() {
    Pod pod =
        new PodBuilder()
            .withNewSpec()
            .addNewContainer()
            .withName("trainer")
            .endContainer()
            .endSpec()
            .build();
    assertThat(TrainerProgressClient.port(pod)).isEqualTo(8080);
  }

  static Pod pod(String ip, int port) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .endMetadata()
            .withSpec(
                TrainerJobDependent.desired(
                        Fixtures.distillationJob("dj"), OperatorSettings.defaults(), null)
                    .getSpec()
                    .getTemplate()
                    .getSpec())
            .withStatus(Statuses.running(ip))
            .build();
    pod.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(port);
    return pod;
  }
}
