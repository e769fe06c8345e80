package io.distillery.mdt.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict readers of the mesh files mdt writes, independent of the writers: ASCII PLY, OBJ and GLB
 * back to positions and polygons. Anything unexpected is an exception, not a guess.
 */
final class MeshFiles {
  private MeshFiles() {}

  /** Positions (x, y, z per vertex) and polygons (vertex indices, 0-based). */
  record Polygons(float[] positions, List<int[]> polygons) {}

  /** A GLB's JSON chunk and its polygons (triangles). */
  record Glb(JsonNode json, Polygons mesh, float[] normals) {}

  static Polygons ply(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    check(lines.get(0).equals("ply") && lines.get(1).equals("format ascii 1.0"), file, "header");
    int end = lines.indexOf("end_header");
    int vertices = -1;
    int faces = -1;
    for (String l : lines.subList(2, end)) {
      if (l.startsWith("element vertex ")) {
        vertices = Integer.parseInt(l.substring(15));
      } else if (l.startsWith("element face ")) {
        faces = Integer.parseInt(l.substring(13));
      }
    }
    check(vertices >= 0 && faces >= 0, file, "element counts");
    check(lines.size() == end + 1 + vertices + faces, file, "line count");
    float[] p = new float[3 * vertices];
    for (int i = 0; i < vertices; i++) {
      String[] xyz = lines.get(end + 1 + i).split(" ");
      check(xyz.length == 3, file, "vertex " + i);
      for (int a = 0; a < 3; a++) {
        p[3 * i + a] = Float.parseFloat(xyz[a]);
      }
    }
    List<int[]> polys = new ArrayList<>();
    for (int f = 0; f < faces; f++) {
      String[] parts = lines.get(end + 1 + vertices + f).split(" ");
      int n = Integer.parseInt(parts[0]);
      check(parts.length == n + 1 && n >= 3, file, "face " + f);
      polys.add(indices(parts, 1, vertices, 0, file));
    }
    return new Polygons(p, polys);
  }

  static Polygons obj(Path file) throws IOException {
    List<Float> v = new ArrayList<>();
    List<String[]> faces = new ArrayList<>();
    for (String l : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      if (l.startsWith("#") || l.isBlank()) {
        continue;
      }
      String[] parts = l.split(" ");
      switch (parts[0]) {
        case "v" -> {
          check(parts.length == 4, file, l);
          for (int a = 1; a < 4; a++) {
            v.add(Float.parseFloat(parts[a]));
          }
        }
        case "f" -> faces.add(parts);
        default -> throw new IOException(file + ": unexpected line " + l);
      }
    }
    float[] p = new float[v.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = v.get(i);
    }
    List<int[]> polys = new ArrayList<>();
    for (String[] f : faces) {
      check(f.length >= 4, file, "face");
      polys.add(indices(f, 1, p.length / 3, 1, file));
    }
    return new Polygons(p, polys);
  }

  static Glb glb(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt() != 0x46546C67 || b.getInt() != 2 || b.getInt() != bytes.length) {
      throw new IOException("not a GLB 2 of this length");
    }
    int jsonLength = b.getInt();
    if (b.getInt() != 0x4E4F534A || jsonLength % 4 != 0) {
      throw new IOException("first chunk is not a padded JSON chunk");
    }
    byte[] jsonBytes = new byte[jsonLength];
    b.get(jsonBytes);
    JsonNode json = new ObjectMapper().readTree(jsonBytes);
    if (!b.hasRemaining()) {
      return new Glb(json, new Polygons(new float[0], List.of()), new float[0]);
    }
    int binLength = b.getInt();
    if (b.getInt() != 0x004E4942 || binLength != b.remaining()) {
      throw new IOException("second chunk is not the BIN chunk filling the file");
    }
    ByteBuffer bin = b.slice().order(ByteOrder.LITTLE_ENDIAN);
    JsonNode prim = json.at("/meshes/0/primitives/0");
    float[] positions = floats(json, bin, prim.at("/attributes/POSITION").asInt());
    float[] normals = floats(json, bin, prim.at("/attributes/NORMAL").asInt());
    JsonNode acc = json.at("/accessors/" + prim.get("indices").asInt());
    JsonNode view = json.at("/bufferViews/" + acc.get("bufferView").asInt());
    int offset = view.get("byteOffset").asInt();
    boolean shorts = acc.get("componentType").asInt() == 5123;
    List<int[]> tris = new ArrayList<>();
    for (int t = 0; t < acc.get("count").asInt() / 3; t++) {
      int[] tri = new int[3];
      for (int c = 0; c < 3; c++) {
        int i = 3 * t + c;
        tri[c] =
            shorts ? Short.toUnsignedInt(bin.getShort(offset + 2 * i)) : bin.getInt(offset + 4 * i);
      }
      tris.add(tri);
    }
    return new Glb(json, new Polygons(positions, tris), normals);
  }

  private static float[] floats(JsonNode json, ByteBuffer bin, int accessor) {
    JsonNode acc = json.at("/accessors/" + accessor);
    JsonNode view = json.at("/bufferViews/" + acc.get("bufferView").asInt());
    float[] out = new float[3 * acc.get("count").asInt()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bin.getFloat(view.get("byteOffset").asInt() + 4 * i);
    }
    return out;
  }

  private static int[] indices(String[] parts, int from, int vertices, int base, Path file)
      throws IOException {
    int[] out = new int[parts.length - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = Integer.parseInt(parts[from + i]) - base;
      check(out[i] >= 0 && out[i] < vertices, file, "index " + parts[from + i]);
    }
    return out;
  }

  private static void check(boolean ok, Path file, String what) throws IOException {
    if (!ok) {
      throw new IOException(file + ": malformed " + what);
    }
  }
}
