package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import org.junit.jupiter.api.Test;

class EmaTest {

  @Test
  void decayWarmsUpToTheConfiguredRate() {
    try (Weights w = Weights.create(Device.cpu())) {
      w.put("p", w.manager().create(new float[] {0f}));
      try (Ema ema = new Ema(w, 0.999)) {
        assertThat(ema.rateAt(1)).isCloseTo(2.0 / 11, within(1e-12));
        assertThat(ema.rateAt(100)).isCloseTo(101.0 / 110, within(1e-12));
        assertThat(ema.rateAt(100_000)).isEqualTo(0.999);
        // After step 1 with p = 1: ema = r * 0 + (1 - r) * 1.
        try (NoGrad ignored = NoGrad.enter()) {
          w.get("p").addi(1f);
        }
        ema.update(w, 1);
        assertThat(ema.shadow().get("p").getFloat())
            .isCloseTo((float) (1 - 2.0 / 11), within(1e-6f));
      }
    }
  }
}
