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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict readers of the mesh files mdt writes, independent of the writers: ASCII PLY, OBJ and GLB
 * back to positions and polygons. Anything unexpected is an exception, not a guess.
 */
final class MeshFiles {
  private MeshFiles() {}

  /** Positions (x, y, z per vertex) and polygons (vertex indices, 0-based). */
  record Polygons(float[] positions, List<int[]> polygons) {}

  /** A GLB's JSON chunk, its polygons (triangles), normals and COLOR_0 (null if absent). */
  record Glb(JsonNode json, Polygons mesh, float[] normals, float[] colours) {}

  /** A PLY's polygons and its vertex colours as 0xRRGGBB (null if it has none). */
  record ColouredPly(Polygons mesh, int[] rgb) {}

  /** An OBJ's polygons, its {@code mtllib} (null if none) and each face's material (or null). */
  record Obj(Polygons mesh, String mtllib, List<String> faceMaterials) {}

  static Polygons ply(Path file) throws IOException {
    ColouredPly ply = colouredPly(file);
    check(ply.rgb() == null, file, "vertex properties (colours in an uncoloured PLY)");
    return ply.mesh();
  }

  /** A PLY whose vertices are x, y, z (float) and optionally red, green, blue (uchar). */
  static ColouredPly colouredPly(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    check(lines.get(0).equals("ply") && lines.get(1).equals("format ascii 1.0"), file, "header");
    int end = lines.indexOf("end_header");
    int vertices = -1;
    int faces = -1;
    List<String> vertexProperties = new ArrayList<>();
    for (String l : lines.subList(2, end)) {
      if (l.startsWith("element vertex ")) {
        vertices = Integer.parseInt(l.substring(15));
      } else if (l.startsWith("element face ")) {
        faces = Integer.parseInt(l.substring(13));
      } else if (l.startsWith("property ") && faces < 0) {
        vertexProperties.add(l.substring(9));
      }
    }
    check(vertices >= 0 && faces >= 0, file, "element counts");
    List<String> xyz = List.of("float x", "float y", "float z");
    List<String> rgb = List.of("uchar red", "uchar green", "uchar blue");
    boolean coloured = vertexProperties.size() == 6;
    check(
        vertexProperties.subList(0, 3).equals(xyz)
            && (!coloured || vertexProperties.subList(3, 6).equals(rgb))
            && vertexProperties.size() <= 6,
        file,
        "vertex properties " + vertexProperties);
    int[] colours = coloured ? new int[vertices] : null;
    check(lines.size() == end + 1 + vertices + faces, file, "line count");
    float[] p = new float[3 * vertices];
    for (int i = 0; i < vertices; i++) {
      String[] values = lines.get(end + 1 + i).split(" ");
      check(values.length == vertexProperties.size(), file, "vertex " + i);
      for (int a = 0; a < 3; a++) {
        p[3 * i + a] = Float.parseFloat(values[a]);
      }
      if (coloured) {
        for (int a = 3; a < 6; a++) {
          int c = Integer.parseInt(values[a]);
          check(c >= 0 && c <= 255, file, "colour of vertex " + i);
          colours[i] = colours[i] << 8 | c;
        }
      }
    }
    List<int[]> polys = new ArrayList<>();
    for (int f = 0; f < faces; f++) {
      String[] parts = lines.get(end + 1 + vertices + f).split(" ");
      int n = Integer.parseInt(parts[0]);
      check(parts.length == n + 1 && n >= 3, file, "face " + f);
      polys.add(indices(parts, 1, vertices, 0, file));
    }
    return new ColouredPly(new Polygons(p, polys), colours);
  }

  static Polygons obj(Path file) throws IOException {
    Obj obj = objWithMaterials(file);
    check(obj.mtllib() == null, file, "materials in an uncoloured OBJ");
    return obj.mesh();
  }

  /** An OBJ of vertices and faces, optionally one {@code mtllib} first and {@code usemtl}s. */
  static Obj objWithMaterials(Path file) throws IOException {
    List<Float> v = new ArrayList<>();
    List<String[]> faces = new ArrayList<>();
    List<String> materials = new ArrayList<>();
    String mtllib = null;
    String material = null;
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
        case "f" -> {
          faces.add(parts);
          materials.add(material);
        }
        case "mtllib" -> {
          check(mtllib == null && v.isEmpty() && parts.length == 2, file, l);
          mtllib = parts[1];
        }
        case "usemtl" -> {
          check(mtllib != null && parts.length == 2, file, l);
          material = parts[1];
        }
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
    return new Obj(new Polygons(p, polys), mtllib, materials);
  }

  /** A material library of {@code newmtl} names each with one {@code Kd}: name to Kd. */
  static Map<String, float[]> mtl(Path file) throws IOException {
    Map<String, float[]> kd = new LinkedHashMap<>();
    String current = null;
    for (String l : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      if (l.startsWith("#") || l.isBlank()) {
        continue;
      }
      String[] parts = l.split(" ");
      if (parts[0].equals("newmtl") && parts.length == 2) {
        check(!kd.containsKey(parts[1]), file, "duplicate material " + parts[1]);
        current = parts[1];
      } else if (parts[0].equals("Kd") && parts.length == 4 && current != null) {
        float[] c = new float[3];
        for (int a = 0; a < 3; a++) {
          c[a] = Float.parseFloat(parts[a + 1]);
          check(c[a] >= 0 && c[a] <= 1, file, l);
        }
        check(kd.put(current, c) == null, file, "second Kd of " + current);
      } else {
        throw new IOException(file + ": unexpected line " + l);
      }
    }
    return kd;
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
      return new Glb(json, new Polygons(new float[0], List.of()), new float[0], null);
    }
    int binLength = b.getInt();
    if (b.getInt() != 0x004E4942 || binLength != b.remaining()) {
      throw new IOException("second chunk is not the BIN chunk filling the file");
    }
    ByteBuffer bin = b.slice().order(ByteOrder.LITTLE_ENDIAN);
    JsonNode prim = json.at("/meshes/0/primitives/0");
    float[] positions = floats(json, bin, prim.at("/attributes/POSITION").asInt());
    float[] normals = floats(json, bin, prim.at("/attributes/NORMAL").asInt());
    JsonNode colour = prim.at("/attributes/COLOR_0");
    float[] colours = colour.isMissingNode() ? null : floats(json, bin, colour.asInt());
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
    return new Glb(json, new Polygons(positions, tris), normals, colours);
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
