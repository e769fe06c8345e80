package io.distillery.mdt.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NearestNeighbourRatioTest {
  // Stable outputs at the probe seeds and at other seeds, on a line.
  static final double[][] SAME = {{0}, {2}, {4}};
  static final double[][] OTHER = {{1}, {3}, {5}};

  @Test
  void meanNearestMatchesTheDefinitionOnHandCheckableSets() {
    // 0 -> 1 (1), 10 -> 5 (5): mean 3.
    assertThat(
            NearestNeighbourRatio.meanNearest(
                new double[][] {{0}, {10}}, new double[][] {{1}, {5}}))
        .isCloseTo(3, within(1e-12));
    // Euclidean in 2-D: |(0,0) - (3,4)| = 5.
    assertThat(NearestNeighbourRatio.meanNearest(new double[][] {{0, 0}}, new double[][] {{3, 4}}))
        .isCloseTo(5, within(1e-12));
  }

  @Test
  void aCanaryDrawingLikeTheReferenceHasRatioOne() {
    assertThat(NearestNeighbourRatio.ratio(OTHER, SAME, OTHER)).isCloseTo(1, within(1e-12));
  }

  @Test
  void aCanaryGivingTheStableOutputsSeedForSeedHasRatioZero() {
    assertThat(NearestNeighbourRatio.ratio(SAME, SAME, OTHER)).isZero();
  }

  @Test
  void aCanaryDrawingFarFromTheStableModelHasARatioFarAboveOne() {
    // Fidelity: the nearest stable output of 20, 21, 22 is 4: 16, 17, 18 against 1 each: 17.
    // Coverage: the nearest canary output of 0, 2, 4 is 20: 20, 18, 16 against 1 each: 18.
    assertThat(NearestNeighbourRatio.ratio(new double[][] {{20}, {21}, {22}}, SAME, OTHER))
        .isCloseTo(18, within(1e-12));
  }

  @Test
  void aCanaryCollapsedOntoOneStableShapeIsCaughtByCoverage() {
    // Every canary output is the stable output 0: fidelity 0, but the stable outputs 2 and 4 are
    // 2 and 4 from the nearest canary output, against 1 from the nearest other-seed output.
    double[][] collapsed = {{0}, {0}, {0}};
    assertThat(NearestNeighbourRatio.ratio(collapsed, SAME, OTHER)).isCloseTo(2, within(1e-12));
  }

  @Test
  void aStableModelWithOneOutputForEverySeedGivesNoScale() {
    double[][] one = {{1}, {1}};
    assertThat(NearestNeighbourRatio.ratio(one, one, one)).isEqualTo(1);
    assertThat(NearestNeighbourRatio.ratio(new double[][] {{2}, {3}}, one, one)).isNaN();
  }
}
