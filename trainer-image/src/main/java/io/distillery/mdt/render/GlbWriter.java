package io.distillery.mdt.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a {@link VoxelMesh} as binary glTF 2.0 (GLB): one triangle mesh with flat normals.
 *
 * <p>glTF's conventions: metres, +Y up, counter-clockwise front faces. The grid spans one metre,
 * centred on the origin, so a viewer frames every shape the same way whatever its resolution. Each
 * quad gets its own four vertices because a voxel surface is flat-shaded: a corner shared by faces
 * that point different ways has a different normal on each. An all-empty grid is a valid file with
 * an empty scene (no mesh), never a broken one.
 *
 * <p>A {@link ColouredVoxelMesh} adds a {@code COLOR_0} attribute (float RGB, linear as glTF
 * requires: the 8-bit sRGB voxel colours converted) under a white material.
 */
public final class GlbWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAGIC = 0x46546C67; // "glTF"
  private static final int CHUNK_JSON = 0x4E4F534A;
  private static final int CHUNK_BIN = 0x004E4942;
  private static final int FLOAT = 5126;
  private static final int UNSIGNED_SHORT = 5123;
  private static final int UNSIGNED_INT = 5125;
  private static final int ARRAY_BUFFER = 34962;
  private static final int ELEMENT_ARRAY_BUFFER = 34963;

  private GlbWriter() {}

  /** The GLB bytes of the voxel surface of {@code occupancy} (R^3 values, value > 0.5 filled). */
  public static byte[] encode(float[] occupancy, int resolution) {
    return encode(VoxelMesh.of(occupancy, resolution), resolution);
  }

  /** Writes the voxel surface of an occupancy grid to {@code file}. */
  public static VoxelMesh write(float[] occupancy, int resolution, Path file) throws IOException {
    VoxelMesh mesh = VoxelMesh.of(occupancy, resolution);
    Files.write(file, encode(mesh, resolution));
    return mesh;
  }

  /** The GLB bytes of the coloured voxel surface ({@link ColouredVoxelMesh#of}) of a grid. */
  public static byte[] encode(float[] occupancy, float[] colours, int resolution) {
    return encode(ColouredVoxelMesh.of(occupancy, colours, resolution), resolution);
  }

  /** Writes the coloured voxel surface of a grid to {@code file}, whole or not at all. */
  public static ColouredVoxelMesh write(
      float[] occupancy, float[] colours, int resolution, Path file) throws IOException {
    ColouredVoxelMesh mesh = ColouredVoxelMesh.of(occupancy, colours, resolution);
    AtomicFiles.write(file, encode(mesh, resolution));
    return mesh;
  }

  /** The GLB bytes of {@code mesh}, whose coordinates are voxel units of a grid of side R. */
  public static byte[] encode(VoxelMesh mesh, int resolution) {
    return encode(mesh, null, resolution);
  }

  /** The GLB bytes of {@code mesh} with its vertex colours as {@code COLOR_0}. */
  public static byte[] encode(ColouredVoxelMesh mesh, int resolution) {
    float[] linear = new float[mesh.colours().length];
    for (int i = 0; i < linear.length; i++) {
      linear[i] = srgbToLinear((mesh.colours()[i] & 0xFF) / 255f);
    }
    return encode(mesh.shape(), linear, resolution);
  }

  /** {@code colours}: linear RGB per vertex of {@code mesh}, or null for the plain grey surface. */
  private static byte[] encode(VoxelMesh mesh, float[] colours, int resolution) {
    ObjectNode gltf = JSON.createObjectNode();
    gltf.putObject("asset").put("version", "2.0").put("generator", "Distillery mdt");
    gltf.put("scene", 0);
    ObjectNode scene = gltf.putArray("scenes").addObject();
    if (mesh.quadCount() == 0) {
      return container(gltf, new byte[0]);
    }
    scene.putArray("nodes").add(0);
    gltf.putArray("nodes").addObject().put("name", "voxels").put("mesh", 0);

    FlatMesh flat = FlatMesh.of(mesh, colours, resolution);
    // Every attribute is a float VEC3 per vertex: position, normal, then colour if any.
    List<float[]> attributes =
        colours == null
            ? List.of(flat.positions, flat.normals)
            : List.of(flat.positions, flat.normals, flat.colours);
    int vertices = flat.positions.length / 3;
    boolean shortIndices = vertices <= 0xFFFF;
    int positionBytes = flat.positions.length * 4;
    int indexBytes = flat.indices.length * (shortIndices ? 2 : 4);
    int indexOffset = attributes.size() * positionBytes;
    ByteBuffer bin =
        ByteBuffer.allocate(padded(indexOffset + indexBytes)).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] attribute : attributes) {
      for (float f : attribute) {
        bin.putFloat(f);
      }
    }
    for (int i : flat.indices) {
      if (shortIndices) {
        bin.putShort((short) i);
      } else {
        bin.putInt(i);
      }
    }

    gltf.putArray("buffers").addObject().put("byteLength", bin.capacity());
    ArrayNode views = gltf.putArray("bufferViews");
    for (int a = 0; a < attributes.size(); a++) {
      view(views, a * positionBytes, positionBytes, ARRAY_BUFFER);
    }
    view(views, indexOffset, indexBytes, ELEMENT_ARRAY_BUFFER);
    ArrayNode accessors = gltf.putArray("accessors");
    ObjectNode position = accessor(accessors, 0, FLOAT, vertices, "VEC3");
    float[][] bounds = flat.bounds();
    ArrayNode min = position.putArray("min");
    ArrayNode max = position.putArray("max");
    for (int a = 0; a < 3; a++) {
      min.add(bounds[0][a]);
      max.add(bounds[1][a]);
    }
    for (int a = 1; a < attributes.size(); a++) {
      accessor(accessors, a, FLOAT, vertices, "VEC3");
    }
    int indices = attributes.size();
    accessor(
        accessors,
        indices,
        shortIndices ? UNSIGNED_SHORT : UNSIGNED_INT,
        flat.indices.length,
        "SCALAR");
    ObjectNode material =
        gltf.putArray("materials")
            .addObject()
            .put("name", colours == null ? "occupied" : "voxel colours");
    ObjectNode pbr = material.putObject("pbrMetallicRoughness");
    if (colours == null) {
      pbr.putArray("baseColorFactor").add(0.72).add(0.74).add(0.78).add(1.0);
    } else {
      // The vertex colours multiply the base colour: white leaves them as they are.
      pbr.putArray("baseColorFactor").add(1.0).add(1.0).add(1.0).add(1.0);
    }
    pbr.put("metallicFactor", 0.0).put("roughnessFactor", 0.8);
    ObjectNode primitive =
        gltf.putArray("meshes")
            .addObject()
            .put("name", "voxels")
            .putArray("primitives")
            .addObject();
    ObjectNode attributeIds = primitive.putObject("attributes").put("POSITION", 0).put("NORMAL", 1);
    if (colours != null) {
      attributeIds.put("COLOR_0", 2);
    }
    primitive.put("indices", indices).put("material", 0).put("mode", 4);
    return container(gltf, bin.array());
  }

  private static void view(ArrayNode views, int offset, int length, int target) {
    views
        .addObject()
        .put("buffer", 0)
        .put("byteOffset", offset)
        .put("byteLength", length)
        .put("target", target);
  }

  private static ObjectNode accessor(
      ArrayNode accessors, int view, int componentType, int count, String type) {
    return accessors
        .addObject()
        .put("bufferView", view)
        .put("componentType", componentType)
        .put("count", count)
        .put("type", type);
  }

  /** The GLB container: a 12-byte header, the JSON chunk (space-padded), the BIN chunk if any. */
  private static byte[] container(ObjectNode gltf, byte[] bin) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(gltf);
    } catch (IOException e) {
      throw new IllegalStateException("glTF JSON cannot be written", e);
    }
    int jsonLength = padded(json.length);
    int total = 12 + 8 + jsonLength + (bin.length == 0 ? 0 : 8 + bin.length);
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).putInt(2).putInt(total);
    out.putInt(jsonLength).putInt(CHUNK_JSON).put(json);
    for (int i = json.length; i < jsonLength; i++) {
      out.put((byte) ' ');
    }
    if (bin.length > 0) {
      out.putInt(bin.length).putInt(CHUNK_BIN).put(bin);
    }
    return out.array();
  }

  private static float srgbToLinear(float c) {
    return c <= 0.04045f ? c / 12.92f : (float) Math.pow((c + 0.055) / 1.055, 2.4);
  }

  private static int padded(int n) {
    return (n + 3) & ~3;
  }

  /**
   * Triangles with per-face vertices, normals and colours (null if none), in metres (the grid is 1
   * m, centred).
   */
  private record FlatMesh(float[] positions, float[] normals, float[] colours, int[] indices) {
    static FlatMesh of(VoxelMesh mesh, float[] vertexColours, int resolution) {
      float[] v = mesh.vertices();
      int[] q = mesh.quads();
      int quads = mesh.quadCount();
      float[] positions = new float[quads * 12];
      float[] normals = new float[quads * 12];
      float[] colours = vertexColours == null ? null : new float[quads * 12];
      int[] indices = new int[quads * 6];
      float scale = 1f / resolution;
      for (int f = 0; f < quads; f++) {
        float[] n = normal(v, q, 4 * f);
        for (int c = 0; c < 4; c++) {
          int src = 3 * q[4 * f + c];
          int dst = 12 * f + 3 * c;
          for (int a = 0; a < 3; a++) {
            positions[dst + a] = v[src + a] * scale - 0.5f;
            normals[dst + a] = n[a];
            if (colours != null) {
              colours[dst + a] = vertexColours[src + a];
            }
          }
        }
        int base = 4 * f;
        // Two counter-clockwise triangles per counter-clockwise quad.
        int[] tris = {base, base + 1, base + 2, base, base + 2, base + 3};
        System.arraycopy(tris, 0, indices, 6 * f, 6);
      }
      return new FlatMesh(positions, normals, colours, indices);
    }

    /** The unit normal of a planar quad by the right-hand rule (outward for CCW-from-outside). */
    private static float[] normal(float[] v, int[] q, int at) {
      float[] a = corner(v, q[at]);
      float[] b = corner(v, q[at + 1]);
      float[] c = corner(v, q[at + 2]);
      float ux = b[0] - a[0];
      float uy = b[1] - a[1];
      float uz = b[2] - a[2];
      float wx = c[0] - a[0];
      float wy = c[1] - a[1];
      float wz = c[2] - a[2];
      float nx = uy * wz - uz * wy;
      float ny = uz * wx - ux * wz;
      float nz = ux * wy - uy * wx;
      float len = (float) Math.sqrt(nx * nx + ny * ny + nz * nz);
      return new float[] {nx / len, ny / len, nz / len};
    }

    private static float[] corner(float[] v, int i) {
      return new float[] {v[3 * i], v[3 * i + 1], v[3 * i + 2]};
    }

    float[][] bounds() {
      float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
      float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
      for (int i = 0; i < positions.length; i += 3) {
        for (int a = 0; a < 3; a++) {
          min[a] = Math.min(min[a], positions[i + a]);
          max[a] = Math.max(max[a], positions[i + a]);
        }
      }
      return new float[][] {min, max};
    }
  }
}
