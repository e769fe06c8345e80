package io.distillery.operator.testing.fakes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts an operator's API requests per reconcile: its client counts every request, and JOSDK's
 * metrics hooks around each reconcile (workflow and status patch included) take the difference.
 * Exact while one resource reconciles at a time, so a test runs one primary per operator.
 */
public final class RequestsPerReconcile implements Metrics {
  private final AtomicLong requests = new AtomicLong();
  private final Map<ResourceID, Long> atStart = new ConcurrentHashMap<>();
  private final List<Long> perReconcile = new CopyOnWriteArrayList<>();

  /** A client for the operator whose requests are counted. */
  public KubernetesClient client(String kubeConfigYaml) {
    Interceptor counter =
        new Interceptor() {
          @Override
          public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            requests.incrementAndGet();
          }
        };
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeConfigYaml))
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count", counter))
        .build();
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    atStart.put(ResourceID.fromResource(resource), requests.get());
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    Long start = atStart.remove(ResourceID.fromResource(resource));
    if (start != null) {
      perReconcile.add(requests.get() - start);
    }
  }

  /** Requests of each reconcile finished since the last {@link #clear}, in order. */
  public List<Long> counts() {
    return List.copyOf(perReconcile);
  }

  public void clear() {
    perReconcile.clear();
  }
}
