package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, device hygiene: a training step hands the sparse model its batch's occupancy both on
 * the device and on the host ({@link SampleSupport#host}), so binding the three networks of a step
 * reads nothing back from the device. The host copy must give exactly the device path's result.
 */
class HostOccupancyTest {
  @Test
  void bindingWithTheHostOccupancyGivesTheSameVelocities() {
    try (SparseFlowTransformer m = SparseFlowTransformerTest.trained(3);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = SparseFlowTransformerTest.balls(nd, 2.5, 1.5);
      NDArray x = SparseFlowTransformerTest.features(nd, occ);
      NDArray t = nd.create(new float[] {600, 250});
      NDArray c = nd.create(new long[] {2, 0});
      float[] host = occ.toFloatArray();
      NDArray viaDevice = SampleSupport.on(occ).bind(m).velocity(x, t, c, false);
      NDArray viaHost = SampleSupport.on(occ, host).bind(m).velocity(x, t, c, false);
      assertThat(viaHost.toFloatArray()).isEqualTo(viaDevice.toFloatArray());
      assertThat(host).as("the caller's array is left as it was").isEqualTo(occ.toFloatArray());
    }
  }
}
