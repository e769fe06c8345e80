package io.distillery.operator.common;

import java.util.function.LongSupplier;

/**
 * A token bucket: up to {@code burst} requests at once, then {@code qps} per second. A caller
 * reserves its token and is told how long to wait for it, so waiting callers are served in the
 * order they came and none holds the lock while it waits (the reservation scheme of Go's {@code
 * x/time/rate}, which client-go's limiter uses). No library on the operator's classpath offers one.
 */
public final class TokenBucket {
  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  public TokenBucket(double qps, int burst) {
    this(qps, burst, System::nanoTime);
  }

  TokenBucket(double qps, int burst, LongSupplier nanoClock) {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("qps must be a number above 0, got " + qps);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, got " + burst);
    }
    this.tokensPerNano = qps / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  /**
   * Takes one token and returns the nanoseconds until it is due: 0 while the burst lasts. Tokens
   * taken ahead of time leave the bucket negative, so the next caller waits behind them.
   */
  public synchronized long reserve() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * tokensPerNano);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / tokensPerNano);
  }
}
