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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Reads the canary pods' {@code GET /metrics} (Prometheus text of {@code mdt serve}) and sums
 * {@code mdt_serve_requests_total{outcome}}: every outcome counts as a request, {@code error} and
 * {@code unavailable} (5xx) as server errors; {@code bad_request} and {@code rejected} (4xx, 429)
 * are the clients' doing. Empty when any pod cannot be read, since a partial sum would hide errors.
 */
public class CanaryMetricsClient {
  static final String METRIC = "mdt_serve_requests_total";
  static final Set<String> SERVER_ERRORS = Set.of("error", "unavailable");
  private static final int MAX_BYTES = 1 << 20;
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^" + METRIC + "\\{[^}]*outcome=\"([^\"]*)\"[^}]*\\}\\s+([-+0-9.eE]+|NaN)(\\s+\\d+)?$");
  private static final Logger LOG = Logger.getLogger(CanaryMetricsClient.class);

  private final BoundedGet http;

  public CanaryMetricsClient(Duration timeout) {
    this.http = new BoundedGet(timeout, MAX_BYTES);
  }

  public Optional<RequestCounts> read(List<Pod> pods) {
    if (pods.isEmpty()) {
      return Optional.empty();
    }
    RequestCounts sum = new RequestCounts(0, 0);
    for (Pod pod : pods) {
      Optional<RequestCounts> one = readPod(pod);
      if (one.isEmpty()) {
        return Optional.empty();
      }
      sum = sum.plus(one.get());
    }
    return Optional.of(sum);
  }

  private Optional<RequestCounts> readPod(Pod pod) {
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
      return Optional.of(parse(new String(response.body(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      LOG.debugf("metrics of %s unreadable: %s", uri, e.getMessage());
      return Optional.empty();
    }
  }

  /** Sums the request counter of one Prometheus text exposition. */
  static RequestCounts parse(String text) {
    long total = 0;
    long errors = 0;
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      double v = Double.parseDouble(m.group(2));
      if (!Double.isFinite(v) || v < 0) {
        continue;
      }
      total += (long) v;
      if (SERVER_ERRORS.contains(m.group(1))) {
        errors += (long) v;
      }
    }
    return new RequestCounts(total, errors);
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
