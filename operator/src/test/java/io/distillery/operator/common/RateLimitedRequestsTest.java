package io.distillery.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The interceptor counts the requests that waited for the limit, and how long they waited. */
class RateLimitedRequestsTest {
  @Test
  void requestsBeyondTheBurstWaitAndTheWaitIsCounted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RateLimitedRequests limited = new RateLimitedRequests(1, 2, registry);

    for (int i = 0; i < 3; i++) {
      limited.before(null, null, null);
    }

    // Two go at once; the third waits for its token, at most the second one token takes.
    assertThat(limited.delayedCount()).isEqualTo(1);
    assertThat(limited.waitedSeconds()).isPositive().isLessThanOrEqualTo(1.0);
    assertThat(registry.get(RateLimitedRequests.WAITED).counter().count())
        .isEqualTo(limited.waitedSeconds());
  }

  @Test
  void noLimitAtQpsZero() {
    RateLimitedRequests limited = new RateLimitedRequests(0, 0, new SimpleMeterRegistry());
    for (int i = 0; i < 1_000; i++) {
      limited.before(null, null, null);
    }
    assertThat(limited.delayedCount()).isZero();
  }

  @Test
  void badSettingsNameTheSetting() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    assertThatThrownBy(() -> new RateLimitedRequests(-1, 10, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distillery.api.qps (DISTILLERY_API_QPS)");
    assertThatThrownBy(() -> new RateLimitedRequests(20, 0, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distillery.api.burst (DISTILLERY_API_BURST)");
  }
}
