package io.distillery.mdt.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void frechetDistanceOfIdenticalSetsIsZero() {
    double[][] a = gaussian(400, 6, 1);
    assertThat(FrechetDistance.compute(a, a)).isCloseTo(0, within(1e-8));
  }

  @Test
  void frechetDistanceOfShiftedSetIsSquaredShift() {
    double[][] a = gaussian(300, 5, 2);
    double[] shift = {1, -2, 0.5, 0, 3};
    double[][] b = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i].clone();
      for (int j = 0; j < shift.length; j++) {
        b[i][j] += shift[j];
      }
    }
    // Same covariance, so only |shift|^2 = 1 + 4 + 0.25 + 9 = 14.25 remains.
    assertThat(FrechetDistance.compute(a, b)).isCloseTo(14.25, within(1e-8));
  }

  @Test
  void frechetDistanceOfScaledSetMatchesClosedForm() {
    // Correlated features; B = k A has covariance k^2 S, so (S_a S_b)^(1/2) = k S and
    // FD = |mu_a - mu_b|^2 + (1 - k)^2 Tr(S).
    double[][] a = gaussian(500, 4, 3);
    for (double[] row : a) {
      row[1] += 0.8 * row[0];
      row[3] -= 0.5 * row[2];
    }
    double k = 2.5;
    double[][] b = new double[a.length][4];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < 4; j++) {
        b[i][j] = k * a[i][j];
      }
    }
    FrechetDistance.Gaussian ga = FrechetDistance.Gaussian.fit(a);
    double meanTerm = 0;
    for (double m : ga.mean()) {
      meanTerm += (1 - k) * (1 - k) * m * m;
    }
    double expected = meanTerm + (1 - k) * (1 - k) * ga.covariance().getTrace();
    assertThat(FrechetDistance.compute(a, b)).isCloseTo(expected, within(1e-8));
    assertThat(FrechetDistance.compute(b, a)).isCloseTo(expected, within(1e-8));
  }

  @Test
  void frechetDistanceOfHandComputedDiagonalCase() {
    // Points (+-s, 0), (0, +-t): mean 0, unbiased covariance diag(2 s^2 / 3, 2 t^2 / 3).
    double[][] a = {{1, 0}, {-1, 0}, {0, 2}, {0, -2}}; // diag(2/3, 8/3)
    double[][] b = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}}; // diag(6, 2/3)
    // (sqrt(2/3) - sqrt(6))^2 + (sqrt(8/3) - sqrt(2/3))^2 = 8/3 + 2/3 = 10/3
    assertThat(FrechetDistance.compute(a, b)).isCloseTo(10.0 / 3, within(1e-10));
  }

  @Test
  void iouOfKnownGrids() {
    float[] a = {1, 1, 0, 0};
    float[] b = {0, 1, 1, 0};
    assertThat(VoxelIoU.iou(a, b)).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(VoxelIoU.distance(a, b)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(VoxelIoU.iou(a, a)).isEqualTo(1.0);
    assertThat(VoxelIoU.iou(new float[] {0, 0}, new float[] {0, 0})).isEqualTo(1.0);
    assertThat(VoxelIoU.iou(new float[] {1, 0}, new float[] {0, 1})).isEqualTo(0.0);
    // Bit packing across word boundaries.
    float[] big = new float[200];
    float[] other = new float[200];
    for (int i = 0; i < 200; i += 3) {
      big[i] = 1;
    }
    for (int i = 0; i < 200; i += 2) {
      other[i] = 1;
    }
    // |A| = 67, |B| = 100, |A and B| = multiples of 6 below 200 = 34, union = 133.
    assertThat(VoxelIoU.iou(big, other)).isCloseTo(34.0 / 133, within(1e-12));
  }

  @Test
  void setMetricsOnTinyHandComputedSets() {
    float[] r0 = {1, 1, 0, 0};
    float[] r1 = {0, 0, 1, 1};
    float[] g0 = {1, 1, 0, 0};
    float[] g1 = {1, 1, 1, 0};
    // d(g0,r0)=0, d(g0,r1)=1, d(g1,r0)=1/3, d(g1,r1)=3/4, d(g0,g1)=1/3, d(r0,r1)=1.
    SetMetrics.Result m = SetMetrics.compute(List.of(g0, g1), List.of(r0, r1));
    // MMD: r0 -> 0, r1 -> 3/4.
    assertThat(m.mmd()).isCloseTo(3.0 / 8, within(1e-12));
    // Both generated shapes have r0 as nearest reference.
    assertThat(m.cov()).isEqualTo(0.5);
    // 1-NN: g0 -> r0 (wrong), g1 -> g0 (tie with r0, generated first: right),
    // r0 -> g0 (wrong), r1 -> g1 (wrong).
    assertThat(m.nna()).isEqualTo(0.25);
  }

  @Test
  void setMetricsSeparateFarSetsAndMatchCopies() {
    List<float[]> left = List.of(new float[] {1, 1, 0, 0, 0, 0}, new float[] {1, 0, 0, 0, 0, 0});
    List<float[]> right = List.of(new float[] {0, 0, 0, 0, 1, 1}, new float[] {0, 0, 0, 0, 0, 1});
    SetMetrics.Result apart = SetMetrics.compute(left, right);
    assertThat(apart.mmd()).isEqualTo(1.0);
    assertThat(apart.nna()).isEqualTo(1.0);
    SetMetrics.Result copies = SetMetrics.compute(right, right);
    assertThat(copies.mmd()).isEqualTo(0.0);
    assertThat(copies.cov()).isEqualTo(1.0);
  }

  @Test
  void featureSetMetricsOnAHandComputedOneDimensionalCase() {
    // Reference at 0, 1, 2, 3 (1-NN radii 1); generated at 0.5, 1.5 (near) and 10, 11 (far).
    double[][] ref = {{0}, {1}, {2}, {3}};
    double[][] gen = {{0.5}, {1.5}, {10}, {11}};
    FeatureSetMetrics.Items items = FeatureSetMetrics.items(gen, ref, 1);
    FeatureSetMetrics.Result m = items.result();
    // Precision: 0.5 and 1.5 lie in real balls, 10 and 11 do not.
    assertThat(m.precision()).isEqualTo(0.5);
    // Recall: generated radii are 1; ref 0, 1, 2 lie within 0.5 of a generated shape, 3 does not.
    assertThat(m.recall()).isEqualTo(0.75);
    // Density: 0.5 is in the balls of ref 0 and 1, 1.5 in those of 1 and 2: (2 + 2) / (1 * 4).
    assertThat(m.density()).isEqualTo(1.0);
    // Coverage: nearest generated shape of ref 0, 1, 2 at 0.5 <= 1; of ref 3 at 1.5 > 1.
    assertThat(m.coverage()).isEqualTo(0.75);
    // MMD: (0.5 + 0.5 + 0.5 + 1.5) / 4.
    assertThat(m.mmd()).isCloseTo(0.75, within(1e-12));
    // COV: nearest references 0 (tie 0/1), 1 (tie 1/2), 3, 3.
    assertThat(m.cov()).isEqualTo(0.75);
    // 1-NNA: 10 and 11 and ref 3 are right (own set nearer), the rest wrong: 3 / 8.
    assertThat(m.nna()).isEqualTo(0.375);
    assertThat(items.resampled(new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3})).isEqualTo(m);
    assertThat(items.resampled(new int[] {2, 3, 2, 3}, new int[] {3, 3, 3, 3}).precision())
        .isEqualTo(0.0);
  }

  private static double[][] gaussian(int n, int d, long seed) {
    Random rng = new Random(seed);
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = rng.nextGaussian() + j;
      }
    }
    return x;
  }
}
