package io.distillery.mdt.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EnergyDistanceTest {
  // Three points on a line: stable outputs at the probe seeds and at other seeds.
  static final double[][] SAME = {{0}, {1}, {2}};
  static final double[][] OTHER = {{0.5}, {1.5}, {2.5}};

  @Test
  void matchesTheDefinitionOnHandCheckableSets() {
    // mean|x - y| over {0} x {3, 5} = 4; within-set means (diagonal included): 0 and 1.
    assertThat(EnergyDistance.between(new double[][] {{0}}, new double[][] {{3}, {5}}))
        .isCloseTo(2 * 4 - 0 - 1, within(1e-12));
    // Euclidean in 2-D: |(0,0) - (3,4)| = 5.
    assertThat(EnergyDistance.between(new double[][] {{0, 0}}, new double[][] {{3, 4}}))
        .isCloseTo(10, within(1e-12));
  }

  @Test
  void identicalSetsAreAtDistanceZero() {
    assertThat(EnergyDistance.between(SAME, SAME)).isZero();
  }

  @Test
  void aCanaryDrawingLikeTheReferenceHasRatioOne() {
    // The canary's outputs are a draw like the stable model's other-seed draw: ratio 1.
    assertThat(EnergyDistance.ratio(OTHER, SAME, OTHER)).isCloseTo(1, within(1e-12));
  }

  @Test
  void aCanaryGivingTheStableOutputsSeedForSeedHasRatioZero() {
    assertThat(EnergyDistance.ratio(SAME, SAME, OTHER)).isZero();
  }

  @Test
  void aCollapsedCanaryFarFromTheReferenceHasARatioFarAboveOne() {
    double[][] collapsed = {{10}, {10}, {10}};
    // E(collapsed, SAME) = 2 * 9 - 0 - 8/9 = 17.11; E(OTHER, SAME) = 2 * 9.5/9 - 8/9 - 8/9 = 1/3.
    double ratio = EnergyDistance.ratio(collapsed, SAME, OTHER);
    assertThat(ratio).isCloseTo((18 - 8.0 / 9) * 3, within(1e-9));
    assertThat(ratio).isGreaterThan(50);
  }

  @Test
  void aStableModelWithOneOutputForEverySeedGivesNoScale() {
    double[][] one = {{1}, {1}};
    assertThat(EnergyDistance.ratio(one, one, one)).isEqualTo(1);
    assertThat(EnergyDistance.ratio(new double[][] {{2}, {3}}, one, one)).isNaN();
  }
}
