package io.distillery.mdt.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class FlowMatchingTest {

  @Test
  void diffusionIsNoiseAtOneAndDataAtZeroAndTheVelocityIsItsTimeDerivative() {
    try (NDManager nd = NDManager.newBaseManager()) {
      NDArray x0 = nd.create(new float[] {2f, -1f}).reshape(2, 1);
      NDArray eps = nd.create(new float[] {0.5f, 3f}).reshape(2, 1);
      NDArray xt = FlowMatching.diffuse(x0, eps, nd.create(new float[] {1f, 0f}));
      assertThat(xt.toFloatArray()[0]).isCloseTo(0.5f, within(1e-6f));
      assertThat(xt.toFloatArray()[1]).isCloseTo(-1f + 3e-5f, within(1e-6f));
      // d x_t / dt = -x0 + (1 - sigma_min) eps, whatever t.
      NDArray a = FlowMatching.diffuse(x0, eps, nd.create(new float[] {0.30f, 0.30f}));
      NDArray b = FlowMatching.diffuse(x0, eps, nd.create(new float[] {0.31f, 0.31f}));
      float[] slope = b.sub(a).div(0.01f).toFloatArray();
      float[] v = FlowMatching.velocity(x0, eps).toFloatArray();
      assertThat(slope[0]).isCloseTo(v[0], within(1e-3f));
      assertThat(slope[1]).isCloseTo(v[1], within(1e-3f));
      assertThat(v[0]).isCloseTo((float) (0.5 * (1 - 1e-5) - 2), within(1e-6f));
    }
  }
}
