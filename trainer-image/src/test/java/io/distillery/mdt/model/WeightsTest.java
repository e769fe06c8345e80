package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightsTest {

  @Test
  void copiedValuesSurviveGarbageCollectionAndKeepTheArraysIdentity() {
    float[] expected = new float[4096];
    Arrays.fill(expected, 0.5f);
    try (Weights target = Weights.create(Device.cpu());
        Weights source = Weights.create(Device.cpu())) {
      var array = target.put("w", target.manager().zeros(new ai.djl.ndarray.types.Shape(4096)));
      source.put("w", source.manager().create(expected));
      target.copyFrom(source);
      source.close();
      // Churn direct memory: a copy that only wrapped a Java buffer would now read garbage.
      for (int i = 0; i < 5; i++) {
        List<ByteBuffer> junk = new ArrayList<>();
        for (int j = 0; j < 64; j++) {
          ByteBuffer b = ByteBuffer.allocateDirect(4096 * 4);
          while (b.hasRemaining()) {
            b.put((byte) 0x7f);
          }
          junk.add(b);
        }
        junk.clear();
        System.gc();
      }
      assertThat(target.get("w")).isSameAs(array);
      assertThat(target.get("w").toFloatArray()).containsOnly(0.5f);
    }
  }
}
