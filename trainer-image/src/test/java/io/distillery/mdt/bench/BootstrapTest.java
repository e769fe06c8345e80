package io.distillery.mdt.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.mdt.eval.FeatureSetMetrics;
import io.distillery.mdt.eval.ShapeEvaluator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  private static final int CLASSES = 8;

  /** {@code n} shapes with Gaussian features (mean {@code shift}); shape i correct with prob p. */
  private static ShapeEvaluator.Measured cell(
      double[][] reference, int n, double shift, double p, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] f = gaussian(n, shift, rng);
    int[] labels = new int[n];
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % CLASSES;
      predicted[i] = rng.nextDouble() < p ? labels[i] : (labels[i] + 1) % CLASSES;
    }
    return new ShapeEvaluator.Measured(
        f, predicted, labels, FeatureSetMetrics.items(f, reference, FeatureSetMetrics.DEFAULT_K));
  }

  private static double[][] gaussian(int n, double shift, SplittableRandom rng) {
    double[][] f = new double[n][4];
    for (double[] row : f) {
      for (int j = 0; j < row.length; j++) {
        double u = rng.nextDouble();
        double v = rng.nextDouble();
        row[j] = shift + Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
      }
    }
    return f;
  }

  @Test
  void accuracyIntervalOfOneRunMatchesTheBinomialWidth() {
    double[][] ref = gaussian(512, 0, new SplittableRandom(1));
    ShapeEvaluator.Measured m = cell(ref, 512, 0, 0.5, 2);
    Bootstrap.Result b =
        Bootstrap.run(
            ref,
            CLASSES,
            1,
            1,
            List.of(new Bootstrap.Row(true, new ShapeEvaluator.Measured[][] {{m}})),
            1000,
            3);
    Estimate acc = b.metric(0, Bootstrap.METRICS.indexOf("classAccuracy"));
    assertThat(acc.mean()).isEqualTo(m.accuracy());
    double half = (acc.hi() - acc.lo()) / 2;
    // 1.96 * sqrt(0.25 / 512) = 0.0433
    assertThat(half).isCloseTo(0.0433, within(0.008));
    Estimate fd = b.metric(0, 0);
    assertThat(fd.lo()).isLessThanOrEqualTo(fd.mean());
    assertThat(fd.hi()).isGreaterThan(fd.mean());
    // Per class: 64 samples each, so about sqrt(8) times wider.
    Estimate sphere = b.classAccuracy(0, 0);
    assertThat((sphere.hi() - sphere.lo()) / 2).isBetween(0.08, 0.16);
  }

  @Test
  void aRowComparedWithItselfIsExactlyEqualAndSeedSpreadWidensIntervals() {
    double[][] ref = gaussian(128, 0, new SplittableRandom(1));
    // Three training seeds whose students differ a lot (shift 0, 1, 2), two evaluation seeds.
    ShapeEvaluator.Measured[][] spread = new ShapeEvaluator.Measured[3][2];
    ShapeEvaluator.Measured[][] same = new ShapeEvaluator.Measured[3][2];
    for (int k = 0; k < 3; k++) {
      for (int e = 0; e < 2; e++) {
        spread[k][e] = cell(ref, 128, k, 0.8, 10 * k + e);
        same[k][e] = cell(ref, 128, 1, 0.8, 100 + 10 * k + e);
      }
    }
    Bootstrap.Result b =
        Bootstrap.run(
            ref,
            CLASSES,
            3,
            2,
            List.of(new Bootstrap.Row(false, spread), new Bootstrap.Row(false, same)),
            400,
            5);
    Estimate self = b.statistic(v -> v[0][0] / v[0][0]);
    assertThat(self.lo()).isEqualTo(1.0);
    assertThat(self.hi()).isEqualTo(1.0);
    Estimate wide = b.metric(0, 0);
    Estimate narrow = b.metric(1, 0);
    assertThat(wide.hi() - wide.lo()).isGreaterThan(2 * (narrow.hi() - narrow.lo()));
  }

  @Test
  void claimsAreMetNotMetOrNotSeparatedByTheirInterval() {
    Claim below = Claim.of("a below b", Claim.Kind.FD_RATIO_BELOW, "a 1", "b 1", 1.0);
    below.estimate = new Estimate(0.8, 0.7, 0.95);
    below.judge();
    assertThat(below.verdict).isEqualTo(Claim.MET);
    below.estimate = new Estimate(1.2, 1.05, 1.3);
    below.judge();
    assertThat(below.verdict).isEqualTo(Claim.NOT_MET);
    below.estimate = new Estimate(0.9, 0.7, 1.1);
    below.judge();
    assertThat(below.verdict).isEqualTo(Claim.NOT_SEPARATED);
    assertThat(below.line()).contains("[not separated]", "0.90 [0.70, 1.10]", "needs < 1.00");

    Claim within =
        Claim.of("acc within 5", Claim.Kind.ACCURACY_DIFFERENCE_ABOVE, "a 1", "b 1", -0.05);
    within.estimate = new Estimate(-0.01, -0.03, 0.01);
    within.judge();
    assertThat(within.verdict).isEqualTo(Claim.MET);
    within.estimate = new Estimate(-0.10, -0.14, -0.06);
    within.judge();
    assertThat(within.verdict).isEqualTo(Claim.NOT_MET);
    within.estimate = null;
    within.judge();
    assertThat(within.verdict).isEqualTo(Claim.NOT_EVALUATED);
  }
}
