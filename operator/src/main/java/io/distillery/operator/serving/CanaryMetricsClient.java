package io.distillery.operator.serving;

import io.distillery.operator.common.BoundedGet;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reads serving pods' {@code GET /metrics} (Prometheus text of {@code mdt serve}): {@code
 * mdt_serve_requests_total{outcome}} summed, where every outcome counts as a request and {@code
 * error} and {@code unavailable} (5xx) as server errors ({@code bad_request} and {@code rejected},
 * 4xx and 429, are the clients' doing), and the latency histogram {@code
 * mdt_serve_request_duration_seconds}. Only user traffic counts: series labelled {@code
 * traffic="probe"} (the canary analysis's own probes) are left out; series without the label are
 * user traffic. Empty when any pod cannot be read, since a partial sum would hide errors.
 */
public class CanaryMetricsClient {
  static final String METRIC = "mdt_serve_requests_total";
  static final String LATENCY_BUCKET = "mdt_serve_request_duration_seconds_bucket";
  static final Set<String> SERVER_ERRORS = Set.of("error", "unavailable");
  static final String TRAFFIC = "traffic";
  static final String PROBE_TRAFFIC = "probe";
  private static final int MAX_BYTES = 1 << 20;
  private static final Logger LOG = Logger.getLogger(CanaryMetricsClient.class);

  private final BoundedGet http;

  public CanaryMetricsClient(Duration timeout) {
    this.http = new BoundedGet(timeout, MAX_BYTES);
  }

  /** User generate requests and server errors of {@code pods}, summed. */
  public Optional<RequestCounts> read(List<Pod> pods) {
    return snapshot(pods).map(PodMetrics::requests);
  }

  /** The user-traffic latency histogram of {@code pods}, summed over pods, steps and formats. */
  public Optional<LatencyHistogram> readLatency(List<Pod> pods) {
    return snapshot(pods).map(PodMetrics::latency);
  }

  /** Both figures of {@code pods} from one read of each pod. */
  public Optional<PodMetrics> snapshot(List<Pod> pods) {
    if (pods.isEmpty()) {
      return Optional.empty();
    }
    PodMetrics sum = PodMetrics.NONE;
    for (Pod pod : pods) {
      Optional<String> text = scrape(pod);
      if (text.isEmpty()) {
        return Optional.empty();
      }
      sum = sum.plus(PodMetrics.parse(text.get()));
    }
    return Optional.of(sum);
  }

  private Optional<String> scrape(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null) {
      return Optional.empty();
    }
    URI uri = BoundedGet.podUri(ip, port(pod), "/metrics");
    try {
      HttpResponse<byte[]> response = http.get(uri, "text/plain");
      if (response.statusCode() != 200) {
        LOG.debugf("metrics of %s: HTTP %d", uri, response.statusCode());
        return Optional.empty();
      }
      return Optional.of(new String(response.body(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debugf("metrics of %s unreadable: %s", uri, e.getMessage());
      return Optional.empty();
    }
  }

  /** Sums the user request counter of one Prometheus text exposition. */
  static RequestCounts parse(String text) {
    return PodMetrics.parse(text).requests();
  }

  /** What the analysis reads of serving pods: user requests and user-request latency. */
  public record PodMetrics(RequestCounts requests, LatencyHistogram latency) {
    static final PodMetrics NONE =
        new PodMetrics(new RequestCounts(0, 0), LatencyHistogram.empty());

    PodMetrics plus(PodMetrics o) {
      return new PodMetrics(requests.plus(o.requests), latency.plus(o.latency));
    }

    static PodMetrics parse(String text) {
      long total = 0;
      long errors = 0;
      java.util.TreeMap<Double, Long> buckets = new java.util.TreeMap<>();
      for (PrometheusSamples.Sample s : PrometheusSamples.parse(text)) {
        if (PROBE_TRAFFIC.equals(s.label(TRAFFIC))) {
          continue;
        }
        if (METRIC.equals(s.name()) && s.label("outcome") != null) {
          total += (long) s.value();
          if (SERVER_ERRORS.contains(s.label("outcome"))) {
            errors += (long) s.value();
          }
        } else if (LATENCY_BUCKET.equals(s.name()) && s.label("le") != null) {
          try {
            buckets.merge(LatencyHistogram.parseBound(s.label("le")), (long) s.value(), Long::sum);
          } catch (NumberFormatException e) {
            // A malformed bound is skipped like any other unreadable sample.
          }
        }
      }
      return new PodMetrics(new RequestCounts(total, errors), LatencyHistogram.of(buckets));
    }
  }

  /** The container port named {@code http} (the pod spec's, so it is what the pod listens on). */
  static int port(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .flatMap(
            c -> c.getPorts() == null ? java.util.stream.Stream.empty() : c.getPorts().stream())
        .filter(p -> StudentNames.HTTP_PORT_NAME.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElse(StudentNames.HTTP_PORT);
  }
}
