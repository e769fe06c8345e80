package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  static final LatencyHistogram H =
      LatencyHistogram.of(Map.of(0.1, 10L, 0.5, 90L, 1.0, 100L, Double.POSITIVE_INFINITY, 100L));

  @Test
  void quantilesInterpolateInsideTheirBucketAsHistogramQuantileDoes() {
    assertThat(H.count()).isEqualTo(100);
    // rank 5 of 10 in [0, 0.1]
    assertThat(H.quantile(0.05)).isCloseTo(0.05, within(1e-12));
    // rank 50: 40 of the 80 in (0.1, 0.5]
    assertThat(H.quantile(0.5)).isCloseTo(0.3, within(1e-12));
    // rank 99: 9 of the 10 in (0.5, 1]
    assertThat(H.quantile(0.99)).isCloseTo(0.95, within(1e-12));
  }

  @Test
  void aQuantileInTheInfBucketIsTheHighestFiniteBoundAndNoObservationsIsNaN() {
    var slow = LatencyHistogram.of(Map.of(0.1, 1L, Double.POSITIVE_INFINITY, 10L));
    assertThat(slow.quantile(0.99)).isEqualTo(0.1);
    assertThat(LatencyHistogram.empty().quantile(0.99)).isNaN();
    assertThat(H.minus(H).quantile(0.99)).isNaN();
  }

  @Test
  void aWindowIsTheDifferenceNeverBelowZeroAndSurvivesTheStatusAsText() {
    var later =
        LatencyHistogram.of(Map.of(0.1, 15L, 0.5, 95L, 1.0, 120L, Double.POSITIVE_INFINITY, 130L));
    var window = later.minus(H);
    assertThat(window.buckets())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(
                Map.of(0.1, 5L, 0.5, 5L, 1.0, 20L, Double.POSITIVE_INFINITY, 30L)));
    // A pod restarted: its counters went back, the window keeps what is there.
    assertThat(H.minus(later).count()).isZero();
    assertThat(LatencyHistogram.decode(later.encode())).isEqualTo(later);
    assertThat(later.encode()).isEqualTo("0.1:15,0.5:95,1.0:120,+Inf:130");
    assertThat(LatencyHistogram.decode(null)).isEqualTo(LatencyHistogram.empty());
  }
}
