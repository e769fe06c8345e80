package io.distillery.operator.e2e;

import io.distillery.operator.testing.fixtures.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a StudentDeployment's status while a test drives it and keeps one line per change of what
 * a person watching {@code kubectl get sd} would see: phase, Progressing reason, the job served,
 * the one rolled out, the canary's state and, at each verdict, its message. The lines are the
 * timeline BENCHMARKS.md records.
 */
final class RolloutTimeline implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final long start = System.nanoTime();
  private final List<String> lines = new ArrayList<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
  private String last;
  private String lastVerdict;

  private RolloutTimeline(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  static RolloutTimeline follow(KubernetesClient client, String namespace, String name) {
    RolloutTimeline t = new RolloutTimeline(client, namespace, name);
    t.poller.scheduleWithFixedDelay(t::look, 0, 500, TimeUnit.MILLISECONDS);
    return t;
  }

  /** A line of the test's own (e.g. "created auto-2"), in order with the observed ones. */
  synchronized void mark(String what) {
    lines.add(String.format("%6.1f s  %s", seconds(), what));
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  private void look() {
    try {
      GenericKubernetesResource sd =
          Manifests.untypedStudentDeployments(client).inNamespace(namespace).withName(name).get();
      if (sd == null || sd.getAdditionalProperties().get("status") == null) {
        return;
      }
      String state =
          String.format(
              "phase=%s progressing=%s serving=%s rollingOut=%s canary=%s/%s",
              sd.<Object>get("status", "phase"),
              progressingReason(sd),
              sd.<Object>get("status", "currentSource"),
              sd.<Object>get("status", "rollingOut"),
              sd.<Object>get("status", "canary", "source"),
              sd.<Object>get("status", "canary", "state"));
      synchronized (this) {
        if (!Objects.equals(state, last)) {
          last = state;
          lines.add(String.format("%6.1f s  %s", seconds(), state));
          String canaryState = sd.get("status", "canary", "state");
          boolean verdict =
              "Promoted".equals(canaryState)
                  || "RolledBack".equals(canaryState)
                  || "Paused".equals(canaryState);
          if (verdict && !Objects.equals(canaryMessage(sd), lastVerdict)) {
            lastVerdict = canaryMessage(sd);
            lines.add(String.format("%6.1f s    verdict: %s", seconds(), lastVerdict));
          }
        }
      }
    } catch (RuntimeException e) {
      // The API server is busy or restarting: the next look catches up.
    }
  }

  static String canaryMessage(GenericKubernetesResource sd) {
    return String.valueOf(sd.<Object>get("status", "canary", "message"));
  }

  @SuppressWarnings("unchecked")
  private static String progressingReason(GenericKubernetesResource sd) {
    List<Map<String, Object>> conditions = sd.get("status", "conditions");
    if (conditions == null) {
      return null;
    }
    return conditions.stream()
        .filter(c -> "Progressing".equals(c.get("type")))
        .map(c -> String.valueOf(c.get("reason")))
        .findFirst()
        .orElse(null);
  }

  private double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
