package io.distillery.mdt.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.flow.TimeGrid;
import org.junit.jupiter.api.Test;

class EulerSamplerTest {

  @Test
  void oneStepWithTheExactVelocityOfAPointMassRecoversIt() {
    PointMassModel m = new PointMassModel(3);
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray noise = nd.randomNormal(new Shape(2, 1, 2, 2, 2));
      NDArray x0 =
          EulerSampler.sample(m, noise, nd.create(new long[] {0, 2}), new SamplerSettings(1, 0, 1));
      float[] v = x0.toFloatArray();
      for (int i = 0; i < 8; i++) {
        assertThat(v[i]).isCloseTo(1f, within(1e-4f));
        assertThat(v[8 + i]).isCloseTo(3f, within(1e-4f));
      }
      assertThat(m.calledAt).containsExactly(1f, 1f);
    }
  }

  @Test
  void anyGridRecoversThePointMassBecauseItsPathsAreStraight() {
    PointMassModel m = new PointMassModel(3);
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray noise = nd.randomNormal(new Shape(1, 1, 2, 2, 2));
      NDArray x0 =
          EulerSampler.sample(m, noise, nd.create(new long[] {1}), new SamplerSettings(7, 0, 3.0));
      for (float v : x0.toFloatArray()) {
        assertThat(v).isCloseTo(2f, within(1e-4f));
      }
      assertThat(m.calledAt).hasSize(7);
      assertThat(m.calledAt.get(1))
          .isCloseTo((float) TimeGrid.rescale(6.0 / 7, 3.0), within(1e-6f));
    }
  }

  @Test
  void cfgExtrapolatesAwayFromTheNullClass() {
    // One step: x0 = (1 + w) x*_c - w x*_null + sigma_min * eps, with x*_null = 0.
    PointMassModel m = new PointMassModel(3);
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray noise = nd.randomNormal(new Shape(1, 1, 2, 2, 2));
      NDArray x0 =
          EulerSampler.sample(m, noise, nd.create(new long[] {1}), new SamplerSettings(1, 3.0, 1));
      for (float v : x0.toFloatArray()) {
        assertThat(v).isCloseTo(4 * 2f, within(1e-3f));
      }
      // CFG evaluates the conditional and the null pass: 2 network inputs per sample and step.
      assertThat(m.calledAt).hasSize(2);
    }
  }

  @Test
  void studentSamplerUsesTheLinearGridWithoutGuidance() {
    PointMassModel m = new PointMassModel(3);
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray noise = nd.randomNormal(new Shape(1, 1, 2, 2, 2));
      EulerSampler.sampleStudent(m, noise, nd.create(new long[] {0}), 2);
      assertThat(m.calledAt).containsExactly(1f, 0.5f);
      assertThatThrownBy(() -> EulerSampler.sampleStudent(m, noise, nd.create(new long[] {0}), 0))
          .hasMessageContaining("at least 1");
    }
  }

  @Test
  void samplerLeavesTheCallersNoiseIntact() {
    PointMassModel m = new PointMassModel(3);
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray noise = nd.ones(new Shape(1, 1, 2, 2, 2));
      EulerSampler.sample(m, noise, nd.create(new long[] {0}), new SamplerSettings(3, 1.0, 1));
      assertThat(noise.toFloatArray()).containsOnly(1f);
    }
  }
}
