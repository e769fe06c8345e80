package io.distillery.operator.common;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own limit on its API requests ({@code distillery.api.qps}, {@code
 * distillery.api.burst}): every request, watch and retry takes a token of a {@link TokenBucket}
 * before it is sent, and its thread waits for the token, so a burst of reconciles cannot flood the
 * API server (the Fabric8 client has no such limit; it only bounds concurrent requests). The
 * requests that waited and the time they waited are {@value #DELAYED} and {@value #WAITED}, so
 * throttling by this limiter is told apart from the server's 429s ({@link ThrottledRequests}).
 */
public final class RateLimitedRequests implements Interceptor {
  public static final String NAME = "distillery-rate-limit";
  public static final String DELAYED = "distillery.api.rate.limited.requests";
  public static final String WAITED = "distillery.api.rate.limited.seconds";

  private final TokenBucket bucket;
  private final Counter delayed;
  private final Counter waited;

  /** {@code qps} 0: no limit (the counters stay at 0); else {@code burst} must be at least 1. */
  public RateLimitedRequests(double qps, int burst, MeterRegistry registry) {
    if (qps < 0 || Double.isNaN(qps) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException(
          "distillery.api.qps (DISTILLERY_API_QPS) must be 0 (no limit) or a number above 0, got "
              + qps);
    }
    if (qps > 0 && burst < 1) {
      throw new IllegalArgumentException(
          "distillery.api.burst (DISTILLERY_API_BURST) must be at least 1, got " + burst);
    }
    this.bucket = qps == 0 ? null : new TokenBucket(qps, burst);
    this.delayed =
        Counter.builder(DELAYED)
            .description("API requests of the operator that waited for its own client-side limit")
            .register(registry);
    this.waited =
        Counter.builder(WAITED)
            .description("Seconds the operator's API requests waited for its client-side limit")
            .register(registry);
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (bucket == null) {
      return;
    }
    long wait = bucket.reserve();
    if (wait <= 0) {
      return;
    }
    if (Context.isOnEventLoopThread()) {
      // Never block Vert.x's event loop (a retry can start there): the request goes now, its
      // token stays taken, so the requests after it wait the longer (and are the ones counted).
      return;
    }
    delayed.increment();
    waited.increment(wait / 1e9);
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public double delayedCount() {
    return delayed.count();
  }

  public double waitedSeconds() {
    return waited.count();
  }
}
