package io.distillery.operator.distillation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfigs;
import io.distillery.config.TrainerProgress;
import io.distillery.operator.common.BoundedGet;
import io.distillery.operator.distillation.TrainerObservation.ProgressReading;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads {@code GET /progress} from a trainer pod (pod IP and its port named {@code progress}) with
 * a {@link BoundedGet}, whose timeout covers the whole exchange. Every failure, including a
 * malformed or oversized answer, is a {@link ProgressReading#failed} value, never an exception: an
 * unreachable trainer is not an error of the job.
 */
public class TrainerProgressClient {
  static final int MAX_BYTES = 64 * 1024;
  private static final ObjectMapper JSON =
      TrainerConfigs.json().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final BoundedGet http;

  public TrainerProgressClient(Duration timeout) {
    this.http = new BoundedGet(timeout, MAX_BYTES);
  }

  public ProgressReading read(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return ProgressReading.failed("pod has no IP yet");
    }
    int port = port(pod);
    if (port <= 0) {
      return ProgressReading.failed("the trainer's progress endpoint is disabled");
    }
    try {
      HttpResponse<byte[]> response =
          http.get(BoundedGet.podUri(ip, port, "/progress"), "application/json");
      if (response.statusCode() != 200) {
        return ProgressReading.failed("HTTP " + response.statusCode());
      }
      TrainerProgress p = JSON.readValue(response.body(), TrainerProgress.class);
      return p == null ? ProgressReading.failed("empty answer") : ProgressReading.of(p);
    } catch (IOException | RuntimeException e) {
      return ProgressReading.failed(e.getMessage());
    }
  }

  /** The container port named {@code progress}, else the trainer's default port. */
  static int port(Pod pod) {
    if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
      Optional<Integer> named =
          pod.getSpec().getContainers().stream()
              .filter(c -> DistillationNames.CONTAINER.equals(c.getName()))
              .map(Container::getPorts)
              .filter(ports -> ports != null)
              .flatMap(ports -> ports.stream())
              .filter(p -> DistillationNames.PROGRESS_PORT_NAME.equals(p.getName()))
              .map(ContainerPort::getContainerPort)
              .findFirst();
      if (named.isPresent()) {
        return named.get();
      }
    }
    return new io.distillery.config.TrainerConfig().progressPort;
  }
}
