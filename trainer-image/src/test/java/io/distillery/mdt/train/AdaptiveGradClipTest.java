package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptiveGradClipTest {

  @Test
  void clipsToMaxNormUntilTheWindowIsFullThenToThePercentile() {
    AdaptiveGradClip clip = new AdaptiveGradClip(10.0, 50, 3);
    try (NDManager nd = NDManager.newBaseManager()) {
      // Norms 3, 4, 5 (vectors (3,0), (0,4), (3,4)) fill the window: none exceeds 10.
      for (float[] g : new float[][] {{3, 0}, {0, 4}, {3, 4}}) {
        NDArray a = nd.create(g);
        clip.clip(List.of(a));
        assertThat(a.toFloatArray()).containsExactly(g);
      }
      assertThat(clip.currentBound()).isCloseTo(4.0, within(1e-9));
      NDArray a = nd.create(new float[] {6, 8});
      NDArray b = nd.create(new float[] {0});
      double norm = clip.clip(List.of(a, b));
      assertThat(norm).isCloseTo(10.0, within(1e-5));
      assertThat(a.toFloatArray()[0]).isCloseTo(6 * 4 / 10f, within(1e-5f));
      assertThat(a.toFloatArray()[1]).isCloseTo(8 * 4 / 10f, within(1e-5f));
    }
  }

  @Test
  void percentileInterpolatesLikeNumpy() {
    assertThat(AdaptiveGradClip.percentile(new double[] {1, 2, 3, 4}, 95))
        .isCloseTo(3.85, within(1e-12));
    assertThat(AdaptiveGradClip.percentile(new double[] {5}, 95)).isEqualTo(5);
  }

  @Test
  void nonFiniteNormsAreNotRecorded() {
    AdaptiveGradClip clip = new AdaptiveGradClip(1.0, 95, 1);
    try (NDManager nd = NDManager.newBaseManager()) {
      clip.clip(List.of(nd.create(new float[] {Float.NaN})));
      assertThat(clip.state().filled()).isZero();
    }
  }
}
