package io.distillery.mdt.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.TrainerConfigs;
import io.distillery.config.TrainerProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private String get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static TrainerProgress progress(long step, double fm) {
    TrainerProgress p = new TrainerProgress();
    p.phase = "training";
    p.step = step;
    p.maxSteps = 10;
    p.percent = step * 10.0;
    p.losses = Map.of("fm", fm);
    p.samplesPerSec = 96.0;
    p.etaSeconds = 4.0;
    return p;
  }

  @Test
  void servesTheLatestProgressAsJsonAndPrometheusMetrics() throws Exception {
    try (ProgressServer s = ProgressServer.start(0, 10, 8)) {
      TrainerProgress before =
          TrainerConfigs.json().readValue(get(s.port(), "/progress"), TrainerProgress.class);
      assertThat(before.phase).isEqualTo("starting");
      s.update(progress(1, 0.9));
      s.update(progress(3, 0.5));
      TrainerProgress p =
          TrainerConfigs.json().readValue(get(s.port(), "/progress"), TrainerProgress.class);
      assertThat(p.step).isEqualTo(3);
      assertThat(p.losses).containsEntry("fm", 0.5);
      assertThat(p.etaSeconds).isEqualTo(4.0);
      String metrics = get(s.port(), "/metrics");
      assertThat(metrics)
          .contains("mdt_training_step 3.0")
          .contains("mdt_training_max_steps 10.0")
          .contains("mdt_training_loss{loss=\"fm\"} 0.5")
          .contains("mdt_training_samples_per_second 96.0")
          .contains("mdt_training_samples_total 24.0");
    }
  }

  @Test
  void aTakenPortIsNamed() throws Exception {
    try (ProgressServer a = ProgressServer.start(0, 1, 1)) {
      assertThatThrownBy(() -> ProgressServer.start(a.port(), 1, 1))
          .hasMessageContaining("port " + a.port())
          .hasMessageContaining("progressPort");
    }
  }

  @Test
  void plainConsoleLinesCarryStepLossesAndEta() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ConsoleProgress c =
        new ConsoleProgress(
            "teacher", new PrintStream(buf, true, StandardCharsets.UTF_8), false, 60_000)) {
      c.update(progress(1, 0.9));
      c.update(progress(2, 0.8)); // within the interval: no line
      c.update(progress(10, 0.1)); // the last step always prints
    }
    String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).isEqualTo("teacher step 1/10 (10.0%) fm=0.9000 96.0 samples/s eta 0m04s");
    assertThat(lines[1]).startsWith("teacher step 10/10 (100.0%) fm=0.1000");
  }

  @Test
  void anInteractiveConsoleDrawsABarWithTheLosses() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ConsoleProgress c =
        new ConsoleProgress(
            "teacher", new PrintStream(buf, true, StandardCharsets.UTF_8), true, 60_000)) {
      c.update(progress(5, 0.25));
    }
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains("teacher")
        .contains("50%")
        .contains("5/10")
        .contains("fm=0.2500");
  }

  @Test
  void bindsAllInterfacesUnlessMdtBindAddressNamesOne() {
    assertThat(ProgressServer.bindAddress(java.util.Map.of())).isEqualTo("0.0.0.0");
    assertThat(ProgressServer.bindAddress(java.util.Map.of("MDT_BIND_ADDRESS", " ")))
        .isEqualTo("0.0.0.0");
    assertThat(ProgressServer.bindAddress(java.util.Map.of("MDT_BIND_ADDRESS", "127.81.0.7\n")))
        .isEqualTo("127.81.0.7");
  }
}
