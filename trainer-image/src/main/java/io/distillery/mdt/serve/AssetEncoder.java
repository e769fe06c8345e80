package io.distillery.mdt.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns the samples of one request into the bytes of the requested format. With {@code count > 1}
 * every format still returns one document: {@code voxels} lists every sample, {@code ply} and
 * {@code obj} hold one mesh with the objects side by side along x (one voxel apart), {@code png} is
 * a contact sheet with one preview per sample, left to right.
 */
final class AssetEncoder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AssetEncoder() {}

  static byte[] encode(VoxelSamples samples) {
    return switch (samples.request().format()) {
      case VOXELS -> voxelsJson(samples);
      default ->
          throw new ApiException(
              501, "format", "format " + samples.request().format().wireName() + " is not built");
    };
  }

  /**
   * {@code {"resolution": R, "order": "dhw", "samples": [{"class", "seed", "filled": N, "voxels":
   * [[d, h, w], ...]}]}}.
   */
  static byte[] voxelsJson(VoxelSamples s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      int r = s.resolution();
      g.writeStartObject();
      g.writeNumberField("resolution", r);
      g.writeStringField("order", "dhw");
      g.writeArrayFieldStart("samples");
      for (int i = 0; i < s.count(); i++) {
        g.writeStartObject();
        g.writeStringField("class", s.request().className());
        g.writeNumberField("seed", s.request().seed(i));
        g.writeNumberField("filled", s.filledCount(i));
        g.writeArrayFieldStart("voxels");
        for (int d = 0; d < r; d++) {
          for (int h = 0; h < r; h++) {
            for (int w = 0; w < r; w++) {
              if (s.filled(i, d, h, w)) {
                g.writeArray(new int[] {d, h, w}, 0, 3);
              }
            }
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
