package io.distillery.mdt.serve;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.render.ColouredVoxelMesh;
import io.distillery.mdt.render.GlbWriter;
import io.distillery.mdt.render.PreviewRenderer;
import io.distillery.mdt.render.VoxelColours;
import io.distillery.mdt.render.VoxelMesh;
import io.vertx.core.buffer.Buffer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Turns the samples of one request into the bytes of the requested format, in memory (serving pods
 * have a read-only root filesystem). Surfaces come from {@link VoxelMesh} and previews from {@link
 * PreviewRenderer}. With {@code count > 1} every format still returns one document: {@code voxels}
 * lists every sample, {@code ply} and {@code obj} hold one mesh with the objects side by side along
 * x (one voxel apart, sample i starting at x = i (R + 1)), {@code png} is a contact sheet with one
 * labelled {@value #PNG_CELL}-pixel preview per sample, left to right.
 *
 * <p>A pipeline's samples are coloured ({@link VoxelSamples#coloured()}): {@code glb} carries
 * {@code COLOR_0}, {@code ply} per-vertex {@code red green blue}, {@code png} coloured previews,
 * {@code voxels} an RGB triple per voxel, {@code npz} the occupancy and the colours as two arrays;
 * {@code obj} is refused at parsing (its colours would need a second file).
 */
final class AssetEncoder {
  static final int PNG_CELL = 256;
  private static final ObjectMapper JSON = new ObjectMapper();

  private AssetEncoder() {}

  /** The bytes of {@code samples} ({@code C * R^3} floats each) in the request's format. */
  static byte[] encode(GenerationRequest request, float[][] samples, int channels, int resolution) {
    return encode(request, samples, channels, resolution, false);
  }

  /** As above; {@code coloured}: pipeline samples (occupancy, then RGB). */
  static byte[] encode(
      GenerationRequest request,
      float[][] samples,
      int channels,
      int resolution,
      boolean coloured) {
    if (request.format() == AssetFormat.NPZ) {
      return coloured
          ? npzColoured(request, samples, resolution)
          : npz(request, samples, channels, resolution);
    }
    return encode(VoxelSamples.of(request, samples, resolution, coloured));
  }

  /**
   * The response body of {@code samples} in the request's format: {@code voxels} streamed into the
   * buffer as it is generated (no byte array in between), the other formats copied in once.
   */
  static Buffer encodeForResponse(
      GenerationRequest request,
      float[][] samples,
      int channels,
      int resolution,
      boolean coloured) {
    if (request.format() == AssetFormat.VOXELS) {
      Buffer body = Buffer.buffer(VOXELS_BODY_GUESS);
      voxelsJson(
          VoxelSamples.of(request, samples, resolution, coloured),
          new OutputStream() {
            @Override
            public void write(int b) {
              body.appendByte((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
              body.appendBytes(b, off, len);
            }
          });
      return body;
    }
    return Buffer.buffer(encode(request, samples, channels, resolution, coloured));
  }

  /** A first size of a {@code voxels} body: a few thousand voxels of about 10 bytes each. */
  private static final int VOXELS_BODY_GUESS = 16 * 1024;

  static byte[] encode(VoxelSamples samples) {
    if (samples.coloured()) {
      return switch (samples.request().format()) {
        case VOXELS -> voxelsJson(samples);
        case PLY -> ply(colouredSideBySide(samples));
        case GLB -> GlbWriter.encode(colouredSideBySide(samples), samples.resolution());
        case PNG -> png(samples);
        case OBJ, NPZ ->
            throw new IllegalArgumentException(
                samples.request().format().wireName() + " is not a coloured mesh format here");
      };
    }
    return switch (samples.request().format()) {
      case VOXELS -> voxelsJson(samples);
      case PLY -> ply(sideBySide(samples));
      case OBJ -> obj(sideBySide(samples));
      case GLB -> GlbWriter.encode(sideBySide(samples), samples.resolution());
      case PNG -> png(samples);
      case NPZ -> throw new IllegalArgumentException("npz is not an occupancy format");
    };
  }

  /**
   * A pipeline's samples: {@code occupancy} float32 {@code (count, 1, R, R, R)}, the thresholded
   * structure (+1 occupied, -1 empty); {@code colours} float32 {@code (count, 3, R, R, R)}, RGB in
   * [-1, 1] on the occupied voxels and 0 elsewhere; {@code y} int64 {@code (count)}, the class.
   */
  static byte[] npzColoured(GenerationRequest request, float[][] samples, int resolution) {
    int voxels = resolution * resolution * resolution;
    float[] occ = new float[samples.length * voxels];
    float[] rgb = new float[samples.length * 3 * voxels];
    long[] y = new long[samples.length];
    for (int i = 0; i < samples.length; i++) {
      System.arraycopy(samples[i], 0, occ, i * voxels, voxels);
      System.arraycopy(samples[i], voxels, rgb, i * 3 * voxels, 3 * voxels);
      y[i] = request.classIndex();
    }
    int r = resolution;
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      NDArray o = m.create(occ, new Shape(samples.length, 1, r, r, r));
      o.setName("occupancy");
      NDArray c = m.create(rgb, new Shape(samples.length, 3, r, r, r));
      c.setName("colours");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(o, c, ys).encode(out, NDList.Encoding.NPZ);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code x}: float32 {@code (count, C, R, R, R)}, the samples as generated (data convention);
   * {@code y}: int64 {@code (count)}, the class index. The layout of a dataset shard, so generated
   * samples load with {@code np.load} or as {@code dataset.uri}.
   */
  static byte[] npz(GenerationRequest request, float[][] samples, int channels, int resolution) {
    int size = channels * resolution * resolution * resolution;
    float[] x = new float[samples.length * size];
    long[] y = new long[samples.length];
    for (int i = 0; i < samples.length; i++) {
      System.arraycopy(samples[i], 0, x, i * size, size);
      y[i] = request.classIndex();
    }
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      NDArray xs =
          m.create(x, new Shape(samples.length, channels, resolution, resolution, resolution));
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(out, NDList.Encoding.NPZ);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code {"resolution": R, "order": "xyz", "up": "y", "emptySamples": E, "samples": [{"class",
   * "seed", "filled": N, "voxels": [[x, y, z], ...]}]}}; E counts the samples with N = 0. A
   * pipeline's samples also have {@code "colours": [[r, g, b], ...]}, one sRGB triple (0..255) per
   * voxel, in the order of {@code voxels}.
   */
  static byte[] voxelsJson(VoxelSamples s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    voxelsJson(s, out);
    return out.toByteArray();
  }

  /** As {@link #voxelsJson(VoxelSamples)}, streamed into {@code out}. */
  static void voxelsJson(VoxelSamples s, OutputStream out) {
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      int r = s.resolution();
      g.writeStartObject();
      g.writeNumberField("resolution", r);
      g.writeStringField("order", "xyz");
      g.writeStringField("up", "y");
      int empty = 0;
      for (int i = 0; i < s.count(); i++) {
        empty += s.filledCount(i) == 0 ? 1 : 0;
      }
      g.writeNumberField("emptySamples", empty);
      g.writeArrayFieldStart("samples");
      for (int i = 0; i < s.count(); i++) {
        g.writeStartObject();
        g.writeStringField("class", s.request().className());
        g.writeNumberField("seed", s.request().seed(i));
        g.writeNumberField("filled", s.filledCount(i));
        g.writeArrayFieldStart("voxels");
        for (int x = 0; x < r; x++) {
          for (int y = 0; y < r; y++) {
            for (int z = 0; z < r; z++) {
              if (s.filled(i, x, y, z)) {
                g.writeArray(new int[] {x, y, z}, 0, 3);
              }
            }
          }
        }
        g.writeEndArray();
        if (s.coloured()) {
          g.writeArrayFieldStart("colours");
          for (int v = 0; v < r * r * r; v++) {
            if (s.occupied()[i][v]) {
              int rgb = VoxelColours.rgb(s.colours()[i], r, v);
              g.writeArray(new int[] {rgb >> 16, rgb >> 8 & 0xFF, rgb & 0xFF}, 0, 3);
            }
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One mesh holding every sample's surface, sample i shifted by i (R + 1) along x. */
  static VoxelMesh sideBySide(VoxelSamples s) {
    List<VoxelMesh> meshes = new ArrayList<>();
    int vertices = 0;
    int quads = 0;
    for (int i = 0; i < s.count(); i++) {
      VoxelMesh m = VoxelMesh.of(s.occupancy01(i), s.resolution());
      meshes.add(m);
      vertices += m.vertices().length;
      quads += m.quads().length;
    }
    float[] v = new float[vertices];
    int[] q = new int[quads];
    int vo = 0;
    int qo = 0;
    for (int i = 0; i < meshes.size(); i++) {
      VoxelMesh m = meshes.get(i);
      float shift = i * (s.resolution() + 1f);
      for (int k = 0; k < m.vertices().length; k++) {
        v[vo + k] = m.vertices()[k] + (k % 3 == 0 ? shift : 0f);
      }
      for (int k = 0; k < m.quads().length; k++) {
        q[qo + k] = m.quads()[k] + vo / 3;
      }
      vo += m.vertices().length;
      qo += m.quads().length;
    }
    return new VoxelMesh(v, q);
  }

  /** One coloured mesh holding every sample's surface, sample i shifted by i (R + 1) along x. */
  static ColouredVoxelMesh colouredSideBySide(VoxelSamples s) {
    List<ColouredVoxelMesh> meshes = new ArrayList<>();
    int vertices = 0;
    int quads = 0;
    for (int i = 0; i < s.count(); i++) {
      ColouredVoxelMesh m = ColouredVoxelMesh.of(s.occupancy01(i), s.colours()[i], s.resolution());
      meshes.add(m);
      vertices += m.vertices().length;
      quads += m.quads().length;
    }
    float[] v = new float[vertices];
    int[] q = new int[quads];
    byte[] c = new byte[vertices];
    int vo = 0;
    int qo = 0;
    for (int i = 0; i < meshes.size(); i++) {
      ColouredVoxelMesh m = meshes.get(i);
      float shift = i * (s.resolution() + 1f);
      for (int k = 0; k < m.vertices().length; k++) {
        v[vo + k] = m.vertices()[k] + (k % 3 == 0 ? shift : 0f);
      }
      System.arraycopy(m.colours(), 0, c, vo, m.colours().length);
      for (int k = 0; k < m.quads().length; k++) {
        q[qo + k] = m.quads()[k] + vo / 3;
      }
      vo += m.vertices().length;
      qo += m.quads().length;
    }
    return new ColouredVoxelMesh(v, q, c);
  }

  /** ASCII PLY with {@code uchar red, green, blue} per vertex, as {@code MeshWriter} writes. */
  static byte[] ply(ColouredVoxelMesh mesh) {
    StringBuilder b = new StringBuilder(64 + mesh.vertexCount() * 28 + mesh.quadCount() * 20);
    b.append("ply\nformat ascii 1.0\ncomment Distillery coloured voxel surface\n")
        .append("element vertex ")
        .append(mesh.vertexCount())
        .append("\nproperty float x\nproperty float y\nproperty float z\n")
        .append("property uchar red\nproperty uchar green\nproperty uchar blue\n")
        .append("element face ")
        .append(mesh.quadCount())
        .append("\nproperty list uchar int vertex_indices\nend_header\n");
    float[] v = mesh.vertices();
    for (int i = 0; i < mesh.vertexCount(); i++) {
      int rgb = mesh.rgb(i);
      b.append(num(v[3 * i])).append(' ').append(num(v[3 * i + 1])).append(' ');
      b.append(num(v[3 * i + 2])).append(' ').append(rgb >> 16).append(' ');
      b.append(rgb >> 8 & 0xFF).append(' ').append(rgb & 0xFF).append('\n');
    }
    int[] q = mesh.quads();
    for (int i = 0; i < q.length; i += 4) {
      b.append("4 ").append(q[i]).append(' ').append(q[i + 1]).append(' ');
      b.append(q[i + 2]).append(' ').append(q[i + 3]).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** ASCII PLY with quad faces, as {@code MeshWriter} writes files. */
  static byte[] ply(VoxelMesh mesh) {
    StringBuilder b = new StringBuilder(64 + mesh.vertexCount() * 16 + mesh.quadCount() * 20);
    b.append("ply\nformat ascii 1.0\ncomment Distillery voxel surface\n")
        .append("element vertex ")
        .append(mesh.vertexCount())
        .append("\nproperty float x\nproperty float y\nproperty float z\n")
        .append("element face ")
        .append(mesh.quadCount())
        .append("\nproperty list uchar int vertex_indices\nend_header\n");
    vertices(b, mesh, "");
    int[] q = mesh.quads();
    for (int i = 0; i < q.length; i += 4) {
      b.append("4 ").append(q[i]).append(' ').append(q[i + 1]).append(' ');
      b.append(q[i + 2]).append(' ').append(q[i + 3]).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Wavefront OBJ with quad faces (1-based indices). */
  static byte[] obj(VoxelMesh mesh) {
    StringBuilder b = new StringBuilder(32 + mesh.vertexCount() * 18 + mesh.quadCount() * 22);
    b.append("# Distillery voxel surface\n");
    vertices(b, mesh, "v ");
    int[] q = mesh.quads();
    for (int i = 0; i < q.length; i += 4) {
      b.append("f ").append(q[i] + 1).append(' ').append(q[i + 1] + 1).append(' ');
      b.append(q[i + 2] + 1).append(' ').append(q[i + 3] + 1).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static void vertices(StringBuilder b, VoxelMesh mesh, String prefix) {
    float[] v = mesh.vertices();
    for (int i = 0; i < v.length; i += 3) {
      b.append(prefix).append(num(v[i])).append(' ').append(num(v[i + 1])).append(' ');
      b.append(num(v[i + 2])).append('\n');
    }
  }

  private static String num(float f) {
    return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
  }

  static byte[] png(VoxelSamples s) {
    List<float[]> grids = new ArrayList<>();
    List<float[]> colours = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < s.count(); i++) {
      grids.add(s.occupancy01(i));
      // An empty structure has no colours (null: drawn uncoloured, as mdt sample does).
      colours.add(s.coloured() && s.filledCount(i) > 0 ? s.colours()[i] : null);
      labels.add(s.request().className() + " #" + s.request().seed(i));
    }
    BufferedImage img =
        s.coloured()
            ? PreviewRenderer.sheet(grids, colours, s.resolution(), labels, s.count(), PNG_CELL)
            : PreviewRenderer.sheet(grids, s.resolution(), labels, s.count(), PNG_CELL);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // An explicit memory-cached stream: ImageIO.write(img, fmt, OutputStream) may buffer through a
    // temp file, and the JVM's shutdown hook deletes those, which broke PNGs drained on SIGTERM.
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      if (!ImageIO.write(img, "png", stream)) {
        throw new IOException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
