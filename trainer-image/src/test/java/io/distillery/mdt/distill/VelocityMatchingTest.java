package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.flow.FlowMatching;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VelocityMatchingTest {

  @Test
  void targetIsTeacherVelocityMinusTimeTimesFiniteDifference() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Two samples of two values each.
      NDArray uT = m.create(new float[] {1.0f, 2.0f, -1.0f, 0.5f}, new Shape(2, 2));
      NDArray uPrev = m.create(new float[] {0.9f, 2.2f, -1.0f, 0.3f}, new Shape(2, 2));
      NDArray vT = m.create(new float[] {3.0f, -1.0f, 0.0f, 2.0f}, new Shape(2, 2));
      NDArray t = m.create(new float[] {0.5f, 0.25f});
      NDArray d = VelocityMatching.finiteDifference(uT, uPrev, 0.1, false);
      // d = (uT - uPrev) / 0.1 = [1, -2, 0, 2]; target = vT - t d
      float[] target = VelocityMatching.target(vT, t, d).toFloatArray();
      assertThat(target[0]).isCloseTo(3.0f - 0.5f * 1.0f, within(1e-4f));
      assertThat(target[1]).isCloseTo(-1.0f - 0.5f * -2.0f, within(1e-4f));
      assertThat(target[2]).isCloseTo(0.0f - 0.25f * 0.0f, within(1e-4f));
      assertThat(target[3]).isCloseTo(2.0f - 0.25f * 2.0f, within(1e-4f));
    }
  }

  @Test
  void dNormDividesEachSampleByItsOwnNormPlusOneTenth() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Sample 0 has norm 5 (3, 4); sample 1 has norm 0.05 (0.03, 0.04).
      NDArray d = m.create(new float[] {3f, 4f, 0.03f, 0.04f}, new Shape(2, 1, 2));
      float[] n = VelocityMatching.normalisePerSample(d).toFloatArray();
      assertThat(n[0]).isCloseTo(3f / 5.1f, within(1e-5f));
      assertThat(n[1]).isCloseTo(4f / 5.1f, within(1e-5f));
      assertThat(n[2]).isCloseTo(0.03f / 0.15f, within(1e-5f));
      assertThat(n[3]).isCloseTo(0.04f / 0.15f, within(1e-5f));
    }
  }

  @Test
  void timeScheduleStaysInsideItsShiftedBounds() {
    double delta = 0.01;
    float[] t = DistillTimes.sample(new SplittableRandom(1), 20000, 1.0, 1.0, delta);
    double lo = FlowMatching.SIGMA_MIN + delta;
    double min = 1;
    double max = 0;
    for (float v : t) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).isGreaterThanOrEqualTo(lo - 1e-7);
    assertThat(max).isLessThanOrEqualTo(1.0);
    assertThat(DistillTimes.shift(0, delta)).isCloseTo(lo, within(1e-12));
    assertThat(DistillTimes.shift(1, delta)).isCloseTo(1.0, within(1e-12));
    // mean 1 in logit space puts most mass at high noise levels
    double mean = 0;
    for (float v : t) mean += v / t.length;
    assertThat(mean).isGreaterThan(0.6);
  }

  @Test
  void cmTargetTimeIsTheEndOfTheCurrentPhaseTowardsData() {
    float[] t = {1.0f, 0.75f, 0.5f, 0.3f, 0.02f};
    assertThat(CmObjective.targetTimes(t, 1)).containsExactly(0f, 0f, 0f, 0f, 0f);
    assertThat(CmObjective.targetTimes(t, 2)).containsExactly(0.5f, 0.5f, 0f, 0f, 0f);
    assertThat(CmObjective.targetTimes(t, 4)).containsExactly(0.75f, 0.5f, 0.25f, 0.25f, 0f);
  }
}
