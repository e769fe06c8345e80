package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.data.BuiltinShapes.Split;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The shipped teacher was trained on these exact grids: any change to the geometry or to the order
 * of the random draws in {@link BuiltinShapes} must show up here. Digests were taken on the
 * generator as it was when the teacher was trained.
 */
class BuiltinShapesPinnedTest {

  @Test
  void gridsAndLabelsAreBitIdenticalToThoseTheTeacherWasTrainedOn() {
    assertThat(digest(BuiltinShapes.generate(16, 64, 3, Split.TRAIN)))
        .isEqualTo("1bd7813c4f60a9fc50243f86ba7c65031957d12e45ffc88c086d80b5cf2abe48");
    assertThat(digest(BuiltinShapes.generate(16, 48, 7, Split.HELD_OUT)))
        .isEqualTo("b0a07f465d4ab7c0ce4bff0732de0c0ca866520718c6053187e60702a5f27038");
    assertThat(digest(BuiltinShapes.generate(32, 24, 11, Split.TRAIN)))
        .isEqualTo("27e5597b66087f078964ac5b640856f2e99ebcb0bb7cc37490b5debbcdddd916");
    assertThat(digest(BuiltinShapes.generate(32, 16, 42, Split.HELD_OUT)))
        .isEqualTo("65b0a8630471b640214a974f310ed492beb2bf3bb4f52117b4b9e05b5af3cbbc");
  }

  /** SHA-256 of the grid values (big-endian float32) followed by the labels (big-endian int32). */
  static String digest(VoxelBatch batch) {
    ByteBuffer buf = ByteBuffer.allocate(4 * (batch.data().length + batch.labels().length));
    for (float f : batch.data()) {
      buf.putFloat(f);
    }
    for (int label : batch.labels()) {
      buf.putInt(label);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
