package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class VoxelBatchTest {

  @Test
  void roundTripsThroughNDArrayAndSlices() {
    float[] data = new float[3 * 2 * 8];
    for (int i = 0; i < data.length; i++) {
      data[i] = i % 3 == 0 ? 1f : -1f;
    }
    VoxelBatch batch = new VoxelBatch(data, new int[] {0, 1, 2}, 3, 2, 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = batch.toNDArray(manager);
      assertThat(x.getShape()).isEqualTo(new Shape(3, 2, 2, 2, 2));
      VoxelBatch back = VoxelBatch.fromNDArray(x, batch.labels());
      assertThat(back.data()).isEqualTo(data);
      assertThat(back.channels()).isEqualTo(2);
    }
    VoxelBatch middle = batch.slice(1, 2);
    assertThat(middle.count()).isEqualTo(1);
    assertThat(middle.labels()).containsExactly(1);
    assertThat(middle.data()[0]).isEqualTo(data[16]);
    float[] occ = batch.occupancy(0);
    assertThat(occ).hasSize(8);
    assertThat(occ[0]).isEqualTo(1f);
    assertThat(occ[1]).isEqualTo(0f);
  }

  @Test
  void rejectsInconsistentSizes() {
    assertThatThrownBy(() -> new VoxelBatch(new float[7], new int[1], 1, 1, 2))
        .hasMessageContaining("expected 8");
    assertThatThrownBy(() -> new VoxelBatch(new float[8], new int[2], 1, 1, 2))
        .hasMessageContaining("labels");
  }
}
