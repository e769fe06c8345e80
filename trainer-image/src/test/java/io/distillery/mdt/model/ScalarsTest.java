package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ScalarsTest {

  @Test
  void theGradientOfAScaledArraySurvivesAGarbageCollectionBeforeBackward() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1f, 2f});
      x.setRequiresGradient(true);
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        NDArray y = Scalars.mul(x, 3).sum();
        var poison = FreedDirectMemory.collectAndPoison();
        c.backward(y);
        java.lang.ref.Reference.reachabilityFence(poison); // the NaN stays in place until here
      }
      assertThat(x.getGradient().toFloatArray()).containsExactly(3f, 3f);
    }
  }

  @Test
  void keepsTheArraysTypeAndValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray y = Scalars.mul(m.create(new float[] {1f, -2f}), 0.5);
      assertThat(y.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
      assertThat(y.toFloatArray()).containsExactly(0.5f, -1f);
    }
  }
}
