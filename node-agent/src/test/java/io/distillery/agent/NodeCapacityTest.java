package io.distillery.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class NodeCapacityTest {

  @Test
  void theNodeOffersItsCpuMemoryAndPods() {
    assertThat(new NodeCapacity("2", "23000Mi", 20).asResources())
        .containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("23000Mi"))
        .containsEntry("pods", new Quantity("20"));
  }

  @Test
  void itsGpusAreAdvertisedAsNvidiaGpusOnlyWhenThereAreAny() {
    assertThat(new NodeCapacity("2", "4Gi", 20, 8).asResources())
        .containsEntry("nvidia.com/gpu", new Quantity("8"));
    assertThat(new NodeCapacity("2", "4Gi", 20).asResources()).doesNotContainKey("nvidia.com/gpu");
    assertThatThrownBy(() -> new NodeCapacity("2", "4Gi", 20, -1)).hasMessageContaining("gpus");
  }

  @Test
  void aMalformedQuantityIsRefusedAtStart() {
    assertThatThrownBy(() -> new NodeCapacity("2", "4 Gi", 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memory 4 Gi");
  }

  @Test
  void aNodeForNoPodIsRefused() {
    assertThatThrownBy(() -> new NodeCapacity("2", "4Gi", 0)).hasMessageContaining("pods");
  }
}
