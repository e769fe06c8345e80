package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.distillery.mdt.model.Weights;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  @Test
  void matchesTheTorchAdamWUpdateWithWarmup() {
    try (Weights w = Weights.create(Device.cpu())) {
      NDArray p = w.put("p", w.manager().create(new float[] {1f, -2f}));
      try (AdamW adam = new AdamW(w, 0.1, 0.5, 4)) {
        NDArray g = w.manager().create(new float[] {0.5f, -1f});
        adam.step(Map.of("p", g));
        // Step 1: lr = 0.1 * 1/4; p *= 1 - lr*wd; m_hat = g, v_hat = g^2, so p -= lr * sign(g).
        double lr = 0.025;
        float[] got = p.toFloatArray();
        assertThat(got[0]).isCloseTo((float) (1 * (1 - lr * 0.5) - lr), within(1e-6f));
        assertThat(got[1]).isCloseTo((float) (-2 * (1 - lr * 0.5) + lr), within(1e-6f));
        assertThat(adam.learningRateAt(8)).isEqualTo(0.1);
      }
    }
  }
}
