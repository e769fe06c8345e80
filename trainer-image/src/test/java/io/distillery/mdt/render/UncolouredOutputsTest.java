package io.distillery.mdt.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uncoloured mesh files and previews, pinned by SHA-256 as they were before colours came in:
 * adding the coloured path must not change a byte of them.
 */
class UncolouredOutputsTest {
  @TempDir Path tmp;

  private static final float[] SHAPE = BuiltinShapes.generate(16, 4, 11, Split.TRAIN).occupancy(2);

  @Test
  void meshFilesAreByteIdentical() throws Exception {
    assertThat(sha256(write("shape.ply")))
        .isEqualTo("3fda76fa44b01ead69861e0202b11bd0e8623207a18cc73516057cb2ef533374");
    assertThat(sha256(write("shape.obj")))
        .isEqualTo("be364d9a6abd4abf77737e5dc15b4c21ac074713ae090adf189732c0b974e0f3");
    assertThat(sha256(write("shape.glb")))
        .isEqualTo("89a0ffca4d5009ffe5ead7f6912bb9f6e75bb341c0031a742f5a1eef9e4beec4");
    assertThat(tmp.resolve("shape.mtl")).doesNotExist();
  }

  @Test
  void previewsArePixelIdentical() throws Exception {
    assertThat(sha256(pixels(PreviewRenderer.render(SHAPE, 16, 120, 100))))
        .isEqualTo("a8126e9196cb97c007f8396ffd1f033a898dbe71997fc39965bef61708db80b6");
    BufferedImage sheet = PreviewRenderer.sheet(List.of(SHAPE, SHAPE), 16, null, 2, 64);
    assertThat(sha256(pixels(sheet)))
        .isEqualTo("a2648764c424e4c8ae473ce0a273df91b062744031bed686479fafe112467438");
  }

  private byte[] write(String name) throws Exception {
    Path file = tmp.resolve(name);
    MeshWriter.write(SHAPE, 16, file);
    return Files.readAllBytes(file);
  }

  private static byte[] pixels(BufferedImage img) {
    int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    ByteBuffer b = ByteBuffer.allocate(4 * rgb.length);
    b.asIntBuffer().put(rgb);
    return b.array();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
