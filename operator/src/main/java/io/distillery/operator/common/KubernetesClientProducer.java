package io.distillery.operator.common;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operator's Kubernetes client: Quarkus' own (its configuration and serialization) with {@link
 * ThrottledRequests} counting the API server's 429 answers, the retry of such answers as settings
 * ({@code distillery.api.retry-backoff-*}) and a client-side limit on the request rate ({@link
 * RateLimitedRequests}: {@code distillery.api.qps}, {@code distillery.api.burst}). It replaces
 * Quarkus' default client bean, which offers no way to add an HTTP interceptor.
 */
@Singleton
public class KubernetesClientProducer {
  @Produces
  @Singleton
  KubernetesClient kubernetesClient(
      KubernetesSerialization serialization,
      Config config,
      MeterRegistry registry,
      @ConfigProperty(name = "distillery.api.retry-backoff-limit") int retryLimit,
      @ConfigProperty(name = "distillery.api.retry-backoff-interval") Duration retryInterval,
      @ConfigProperty(name = "distillery.api.qps") double qps,
      @ConfigProperty(name = "distillery.api.burst") int burst) {
    ThrottledRequests throttled = new ThrottledRequests(registry);
    RateLimitedRequests limited = new RateLimitedRequests(qps, burst, registry);
    // Quarkus fixes its own client properties at build time; these two stay settings of a release.
    config.setRequestRetryBackoffLimit(retryLimit);
    config.setRequestRetryBackoffInterval((int) retryInterval.toMillis());
    return new KubernetesClientBuilder()
        .withKubernetesSerialization(serialization)
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            b ->
                b.addOrReplaceInterceptor(RateLimitedRequests.NAME, limited)
                    .addOrReplaceInterceptor(ThrottledRequests.NAME, throttled))
        .build();
  }

  void close(@Disposes KubernetesClient client) {
    client.close();
  }
}
