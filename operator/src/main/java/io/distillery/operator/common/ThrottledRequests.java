package io.distillery.operator.common;

import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * Counts the API server's 429 answers (its priority and fairness, or max-in-flight limit, turned a
 * request away) as {@value #METRIC}. The Fabric8 client retries such a request itself after the
 * server's Retry-After, with backoff ({@code quarkus.kubernetes-client.request-retry-backoff-*}),
 * so throttling slows the operator down without failing reconciles; this counter makes it visible.
 */
public final class ThrottledRequests implements Interceptor {
  public static final String METRIC = "distillery.api.throttled.requests";
  public static final String NAME = "distillery-throttled-requests";

  private final Counter throttled;

  public ThrottledRequests(MeterRegistry registry) {
    this.throttled =
        Counter.builder(METRIC)
            .description(
                "API requests of the operator the API server answered 429 Too Many Requests"
                    + " (each is retried by the client)")
            .register(registry);
  }

  @Override
  public CompletableFuture<Boolean> afterFailure(
      HttpRequest.Builder builder, HttpResponse<?> response, RequestTags tags) {
    if (response.code() == 429) {
      throttled.increment();
    }
    return CompletableFuture.completedFuture(false);
  }

  public double count() {
    return throttled.count();
  }
}
