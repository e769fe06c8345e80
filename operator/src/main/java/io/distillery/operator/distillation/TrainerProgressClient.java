package io.distillery.operator.distillation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfigs;
import io.distillery.config.TrainerProgress;
import io.distillery.operator.distillation.TrainerObservation.ProgressReading;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads {@code GET /progress} from a trainer pod (pod IP and its port named {@code progress}) with
 * the JDK HTTP client. The timeout bounds the whole exchange, body included: this runs inside a
 * reconcile, and a trainer that sent its headers and then stalled (or died mid-answer) once held a
 * reconcile forever, leaving its job "Running" after the trainer had failed. Every failure,
 * including a malformed or oversized answer, is a {@link ProgressReading#failed} value, never an
 * exception: an unreachable trainer is not an error of the job.
 */
public class TrainerProgressClient {
  static final int MAX_BYTES = 64 * 1024;
  private static final ObjectMapper JSON =
      TrainerConfigs.json().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final HttpClient http;
  private final Duration timeout;

  public TrainerProgressClient(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            // Plain HTTP/1.1: no h2c upgrade round with the trainer's server.
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/progress"))
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(request, info -> new CappedBody(MAX_BYTES));
    try {
      HttpResponse<byte[]> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.statusCode() != 200) {
        return ProgressReading.failed("HTTP " + response.statusCode());
      }
      TrainerProgress p = JSON.readValue(response.body(), TrainerProgress.class);
      return p == null ? ProgressReading.failed("empty answer") : ProgressReading.of(p);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return ProgressReading.failed("no complete answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      return ProgressReading.failed("interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return ProgressReading.failed(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } catch (IOException | RuntimeException e) {
      return ProgressReading.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Collects a body of at most {@code limit} bytes; a larger one fails instead of filling memory.
   */
  static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer b : buffers) {
        if (bytes.size() + b.remaining() > limit) {
          subscription.cancel();
          body.completeExceptionally(new IOException("answer larger than " + limit + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
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
