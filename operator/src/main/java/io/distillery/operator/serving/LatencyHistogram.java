package io.distillery.operator.serving;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A Prometheus classic histogram as {@code mdt serve} exposes it: cumulative counts by upper bound
 * ({@code le}), the last bound {@code +Inf}. Summed over pods and label values, subtracted from a
 * baseline to get one window, and read like PromQL's {@code histogram_quantile}. Immutable.
 */
public final class LatencyHistogram {
  private static final LatencyHistogram EMPTY = new LatencyHistogram(new TreeMap<>());

  private final NavigableMap<Double, Long> cumulative;

  private LatencyHistogram(NavigableMap<Double, Long> cumulative) {
    this.cumulative = Collections.unmodifiableNavigableMap(cumulative);
  }

  public static LatencyHistogram empty() {
    return EMPTY;
  }

  /** From cumulative bucket counts by upper bound (one series, or already summed). */
  public static LatencyHistogram of(Map<Double, Long> cumulativeByBound) {
    return new LatencyHistogram(new TreeMap<>(cumulativeByBound));
  }

  /** Cumulative counts by upper bound, {@code +Inf} last. */
  public NavigableMap<Double, Long> buckets() {
    return cumulative;
  }

  /** Observations in all: the {@code +Inf} bucket (0 for an empty histogram). */
  public long count() {
    return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
  }

  /** Bucket-wise sum (series of several pods, steps or formats). */
  public LatencyHistogram plus(LatencyHistogram other) {
    TreeMap<Double, Long> sum = new TreeMap<>(cumulative);
    other.cumulative.forEach((le, n) -> sum.merge(le, n, Long::sum));
    return new LatencyHistogram(sum);
  }

  /**
   * What was observed since {@code baseline}: bucket-wise difference, never below 0 (a pod that
   * restarted reset its counters; its new counts are all in the window).
   */
  public LatencyHistogram minus(LatencyHistogram baseline) {
    TreeMap<Double, Long> diff = new TreeMap<>();
    cumulative.forEach(
        (le, n) -> diff.put(le, Math.max(0, n - baseline.cumulative.getOrDefault(le, 0L))));
    return new LatencyHistogram(diff);
  }

  /**
   * The {@code q}-quantile in seconds, interpolated linearly inside its bucket as {@code
   * histogram_quantile} does (the lowest bucket from 0; a quantile in the {@code +Inf} bucket is
   * the highest finite bound). NaN without observations.
   */
  public double quantile(double q) {
    long total = count();
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    long below = 0;
    for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
      long n = e.getValue();
      if (n >= rank) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        long inBucket = n - below;
        return inBucket == 0
            ? e.getKey()
            : lower + (e.getKey() - lower) * (rank - below) / inBucket;
      }
      lower = e.getKey();
      below = n;
    }
    return lower;
  }

  /** Compact text for the status: {@code le:count} pairs, e.g. {@code 0.01:3,0.1:7,+Inf:9}. */
  public String encode() {
    return cumulative.entrySet().stream()
        .map(e -> bound(e.getKey()) + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** The inverse of {@link #encode}; empty for null or blank text. */
  public static LatencyHistogram decode(String text) {
    if (text == null || text.isBlank()) {
      return EMPTY;
    }
    TreeMap<Double, Long> buckets = new TreeMap<>();
    for (String pair : text.split(",")) {
      int colon = pair.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("histogram bucket without a count: " + pair);
      }
      buckets.put(parseBound(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)));
    }
    return new LatencyHistogram(buckets);
  }

  static double parseBound(String le) {
    return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  private static String bound(double le) {
    return Double.isInfinite(le) ? "+Inf" : Double.toString(le);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyHistogram h && cumulative.equals(h.cumulative);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cumulative);
  }

  @Override
  public String toString() {
    return encode();
  }
}
