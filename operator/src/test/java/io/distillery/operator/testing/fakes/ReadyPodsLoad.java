package io.distillery.operator.testing.fakes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady {@code POST /v1/generate} load on the pods a Service would route to: those Ready and not
 * terminating, as the EndpointSlice controller publishes them (it cannot here: slices refuse the
 * loopback addresses simulated pods use). Routing sees each change only {@code lag} after the API
 * server does, as with the endpoints controller, kube-proxy and load balancers of a real cluster (a
 * second or more); a pod must keep answering that long after its deletion. Every answer is
 * recorded: status, model digest, or error.
 */
public final class ReadyPodsLoad implements AutoCloseable {
  /** One request's outcome; {@code status} 0 for a connection error, described in {@code error}. */
  public record Outcome(String pod, int status, String digest, String error) {}

  private final SharedIndexInformer<Pod> pods;
  private final Duration lag;
  // Each pod's observed states, oldest first, with the time they were seen.
  private final Map<String, List<Seen>> history = new ConcurrentHashMap<>();

  private record Seen(long nanos, Pod pod, boolean routable) {}

  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> clients = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ReadyPodsLoad(SharedIndexInformer<Pod> pods, Duration lag) {
    this.pods = pods;
    this.lag = lag;
    pods.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            seen(pod, routable(pod));
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            seen(pod, routable(pod));
          }

          @Override
          public void onDelete(Pod pod, boolean unknownFinalState) {
            seen(pod, false);
          }
        });
  }

  private void seen(Pod pod, boolean routable) {
    history
        .computeIfAbsent(pod.getMetadata().getName(), n -> new CopyOnWriteArrayList<>())
        .add(new Seen(System.nanoTime(), pod, routable));
  }

  /** The pods routable as of {@code lag} ago. */
  private List<Pod> routableNow() {
    long asOf = System.nanoTime() - lag.toNanos();
    List<Pod> out = new ArrayList<>();
    for (List<Seen> states : history.values()) {
      Seen last = null;
      for (Seen s : states) {
        if (s.nanos() <= asOf) {
          last = s;
        }
      }
      if (last != null && last.routable()) {
        out.add(last.pod());
      }
    }
    return out;
  }

  /** Starts {@code clients} threads, each sending one request every {@code pause}. */
  public static ReadyPodsLoad start(
      KubernetesClient client,
      String namespace,
      Map<String, String> selector,
      Duration lag,
      String body,
      int clients,
      Duration pause) {
    ReadyPodsLoad load =
        new ReadyPodsLoad(
            client.pods().inNamespace(namespace).withLabels(selector).runnableInformer(0), lag);
    load.pods.start();
    for (int i = 0; i < clients; i++) {
      Thread t = new Thread(() -> load.loop(body, pause), "load-" + i);
      t.setDaemon(true);
      t.start();
      load.clients.add(t);
    }
    return load;
  }

  public List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  private void loop(String body, Duration pause) {
    while (running.get()) {
      List<Pod> routable = routableNow();
      if (!routable.isEmpty()) {
        Pod pod = routable.get(ThreadLocalRandom.current().nextInt(routable.size()));
        outcomes.add(send(pod, body));
      }
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Outcome send(Pod pod, String body) {
    String name = pod.getMetadata().getName();
    int port = pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    URI uri = URI.create("http://" + pod.getStatus().getPodIP() + ":" + port + "/v1/generate");
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(30))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return new Outcome(
          name, r.statusCode(), r.headers().firstValue("X-Model-Digest").orElse(null), null);
    } catch (IOException e) {
      return new Outcome(name, 0, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(name, 0, null, "interrupted");
    }
  }

  /** What an EndpointSlice marks ready: a pod IP, the Ready condition, not terminating. */
  static boolean routable(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getPodIP() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : clients) {
      t.join(35_000);
    }
    pods.stop();
  }
}
