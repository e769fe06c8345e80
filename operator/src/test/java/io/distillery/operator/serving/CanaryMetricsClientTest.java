package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.operator.testing.fakes.MetricsServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanaryMetricsClientTest {
  static final String TEXT =
      """
      # TYPE mdt_serve_requests_total counter
      mdt_serve_requests_total{outcome="ok",traffic="user"} 90.0
      mdt_serve_requests_total{outcome="error",traffic="user"} 4.0
      mdt_serve_requests_total{outcome="bad_request",traffic="user"} 6.0
      mdt_serve_requests_total{outcome="ok",traffic="probe"} 96.0
      mdt_serve_requests_total{outcome="error",traffic="probe"} 3.0
      # TYPE mdt_serve_request_duration_seconds histogram
      mdt_serve_request_duration_seconds_bucket{steps="1",format="ply",traffic="user",le="0.01"} 50
      mdt_serve_request_duration_seconds_bucket{steps="1",format="ply",traffic="user",le="0.1"} 90
      mdt_serve_request_duration_seconds_bucket{steps="1",format="ply",traffic="user",le="+Inf"} 100
      mdt_serve_request_duration_seconds_bucket{steps="2",format="glb",traffic="user",le="0.01"} 0
      mdt_serve_request_duration_seconds_bucket{steps="2",format="glb",traffic="user",le="0.1"} 10
      mdt_serve_request_duration_seconds_bucket{steps="2",format="glb",traffic="user",le="+Inf"} 10
      mdt_serve_request_duration_seconds_bucket{steps="1",format="npz",traffic="probe",le="0.01"} 0
      mdt_serve_request_duration_seconds_bucket{steps="1",format="npz",traffic="probe",le="0.1"} 0
      mdt_serve_request_duration_seconds_bucket{steps="1",format="npz",traffic="probe",le="+Inf"} 99
      """;

  @Test
  void probeTrafficCountsNeitherAsRequestsNorErrorsNorLatency() {
    var metrics = CanaryMetricsClient.PodMetrics.parse(TEXT);
    assertThat(metrics.requests()).isEqualTo(new RequestCounts(100, 4));
    assertThat(metrics.latency().buckets())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(Map.of(0.01, 50L, 0.1, 100L, Double.POSITIVE_INFINITY, 110L)));
  }

  @Test
  void seriesWithoutATrafficLabelAreUserTraffic() {
    assertThat(
            CanaryMetricsClient.parse(
                "mdt_serve_requests_total{outcome=\"ok\"} 7\n"
                    + "mdt_serve_requests_total{outcome=\"unavailable\"} 2 1700000000000\n"))
        .isEqualTo(new RequestCounts(9, 2));
  }

  @Test
  void latencyOfTheWindowIsTheDifferenceOfTwoReadsOfEveryPod() {
    try (MetricsServer a = new MetricsServer();
        MetricsServer b = new MetricsServer()) {
      CanaryMetricsClient client = new CanaryMetricsClient(Duration.ofSeconds(2));
      List<Pod> pods = List.of(pod(a.port()), pod(b.port()));
      a.observe(0.005, 30);
      var baseline = client.readLatency(pods).orElseThrow();
      a.observe(0.2, 50);
      b.observe(0.005, 50);
      a.probeErrors(5);
      a.count(100, 1, 0);
      var window = client.readLatency(pods).orElseThrow().minus(baseline);
      assertThat(window.count()).isEqualTo(100);
      // Half the window's requests took 5 ms, half 200 ms: p99 is in the (0.1, 0.25] bucket.
      assertThat(window.quantile(0.99)).isCloseTo(0.1 + 0.15 * 49 / 50.0, within(1e-9));
      assertThat(window.quantile(0.5)).isCloseTo(0.001 + 0.009 * 50 / 50.0, within(1e-9));
      assertThat(client.read(pods)).hasValue(new RequestCounts(101, 1));
    }
  }

  @Test
  void anUnreadablePodMakesTheWholeReadEmpty() {
    try (MetricsServer a = new MetricsServer()) {
      CanaryMetricsClient client = new CanaryMetricsClient(Duration.ofMillis(500));
      assertThat(client.snapshot(List.of(pod(a.port()), pod(1)))).isEmpty();
      assertThat(client.snapshot(List.of())).isEmpty();
    }
  }

  static Pod pod(int port) {
    return new PodBuilder()
        .withNewSpec()
        .addNewContainer()
        .withName("serve")
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP("127.0.0.1")
        .endStatus()
        .build();
  }
}
