package io.distillery.mdt.render;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link VoxelMesh} as ASCII PLY or Wavefront OBJ (quads, shared vertices, voxel units),
 * or as binary glTF ({@link GlbWriter}: triangles, metres). A {@link ColouredVoxelMesh} goes to PLY
 * with vertex colours, or to OBJ with a material library beside it (one material per colour), each
 * file written whole or not at all.
 */
public final class MeshWriter {
  private MeshWriter() {}

  /**
   * Writes the voxel surface of an occupancy grid as {@code .ply}, {@code .obj} or {@code .glb}.
   */
  public static VoxelMesh write(float[] occupancy, int resolution, Path file) throws IOException {
    VoxelMesh mesh = VoxelMesh.of(occupancy, resolution);
    byFormat(
        file,
        () -> writePly(mesh, file),
        () -> writeObj(mesh, file),
        () -> AtomicFiles.write(file, GlbWriter.encode(mesh, resolution)));
    return mesh;
  }

  /** One way of writing a mesh file. */
  @FunctionalInterface
  private interface Writing {
    void run() throws IOException;
  }

  /** Runs the writer of the file's format, chosen by its extension. */
  private static void byFormat(Path file, Writing ply, Writing obj, Writing glb)
      throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".ply")) {
      ply.run();
    } else if (name.endsWith(".obj")) {
      obj.run();
    } else if (name.endsWith(".glb")) {
      glb.run();
    } else {
      throw new IllegalArgumentException(file + ": mesh files end in .ply, .obj or .glb");
    }
  }

  /**
   * Writes the coloured voxel surface of an occupancy grid ({@link ColouredVoxelMesh#of}) as {@code
   * .ply}, {@code .obj} (with its {@code .mtl}) or {@code .glb}.
   */
  public static ColouredVoxelMesh write(
      float[] occupancy, float[] colours, int resolution, Path file) throws IOException {
    ColouredVoxelMesh mesh = ColouredVoxelMesh.of(occupancy, colours, resolution);
    byFormat(
        file,
        () -> writePly(mesh, file),
        () -> writeObj(mesh, file),
        () -> AtomicFiles.write(file, GlbWriter.encode(mesh, resolution)));
    return mesh;
  }

  /** PLY with {@code uchar red, green, blue} per vertex. */
  public static void writePly(ColouredVoxelMesh mesh, Path file) throws IOException {
    AtomicFiles.writeAscii(
        file,
        w -> {
          w.write("ply\nformat ascii 1.0\ncomment Distillery coloured voxel surface\n");
          w.write("element vertex " + mesh.vertexCount() + "\n");
          w.write("property float x\nproperty float y\nproperty float z\n");
          w.write("property uchar red\nproperty uchar green\nproperty uchar blue\n");
          w.write("element face " + mesh.quadCount() + "\n");
          w.write("property list uchar int vertex_indices\nend_header\n");
          float[] v = mesh.vertices();
          for (int i = 0; i < mesh.vertexCount(); i++) {
            int rgb = mesh.rgb(i);
            w.write(num(v[3 * i]) + " " + num(v[3 * i + 1]) + " " + num(v[3 * i + 2]));
            w.write(" " + (rgb >> 16) + " " + (rgb >> 8 & 0xFF) + " " + (rgb & 0xFF) + "\n");
          }
          int[] q = mesh.quads();
          for (int i = 0; i < q.length; i += 4) {
            w.write("4 " + q[i] + " " + q[i + 1] + " " + q[i + 2] + " " + q[i + 3] + "\n");
          }
        });
  }

  /**
   * OBJ whose faces are grouped by colour ({@code usemtl}), with the material library {@link
   * #mtlFile} ({@code Kd} = the sRGB colour) written first so the OBJ never names a missing file.
   */
  public static void writeObj(ColouredVoxelMesh mesh, Path file) throws IOException {
    Map<Integer, List<Integer>> byColour = new LinkedHashMap<>();
    for (int f = 0; f < mesh.quadCount(); f++) {
      byColour.computeIfAbsent(mesh.quadRgb(f), c -> new ArrayList<>()).add(f);
    }
    Path mtl = mtlFile(file);
    AtomicFiles.writeAscii(
        mtl,
        w -> {
          w.write("# Distillery voxel colours\n");
          for (int rgb : byColour.keySet()) {
            w.write("newmtl " + material(rgb) + "\n");
            w.write(
                String.format(
                    Locale.ROOT,
                    "Kd %.6f %.6f %.6f\n",
                    (rgb >> 16) / 255.0,
                    (rgb >> 8 & 0xFF) / 255.0,
                    (rgb & 0xFF) / 255.0));
          }
        });
    AtomicFiles.writeAscii(
        file,
        w -> {
          w.write("# Distillery coloured voxel surface\n");
          w.write("mtllib " + mtl.getFileName() + "\n");
          float[] v = mesh.vertices();
          for (int i = 0; i < v.length; i += 3) {
            w.write("v " + num(v[i]) + " " + num(v[i + 1]) + " " + num(v[i + 2]) + "\n");
          }
          int[] q = mesh.quads();
          for (Map.Entry<Integer, List<Integer>> group : byColour.entrySet()) {
            w.write("usemtl " + material(group.getKey()) + "\n");
            for (int f : group.getValue()) {
              // OBJ indices are 1-based.
              w.write("f " + (q[4 * f] + 1) + " " + (q[4 * f + 1] + 1) + " " + (q[4 * f + 2] + 1));
              w.write(" " + (q[4 * f + 3] + 1) + "\n");
            }
          }
        });
  }

  /** The material library beside an OBJ file: its name with {@code .mtl} for the extension. */
  public static Path mtlFile(Path obj) {
    String name = obj.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return obj.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".mtl");
  }

  private static String material(int rgb) {
    return String.format(Locale.ROOT, "rgb_%06x", rgb);
  }

  public static void writePly(VoxelMesh mesh, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      w.write("ply\nformat ascii 1.0\ncomment Distillery voxel surface\n");
      w.write("element vertex " + mesh.vertexCount() + "\n");
      w.write("property float x\nproperty float y\nproperty float z\n");
      w.write("element face " + mesh.quadCount() + "\n");
      w.write("property list uchar int vertex_indices\nend_header\n");
      float[] v = mesh.vertices();
      for (int i = 0; i < v.length; i += 3) {
        w.write(num(v[i]) + " " + num(v[i + 1]) + " " + num(v[i + 2]) + "\n");
      }
      int[] q = mesh.quads();
      for (int i = 0; i < q.length; i += 4) {
        w.write("4 " + q[i] + " " + q[i + 1] + " " + q[i + 2] + " " + q[i + 3] + "\n");
      }
    }
  }

  public static void writeObj(VoxelMesh mesh, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      w.write("# Distillery voxel surface\n");
      float[] v = mesh.vertices();
      for (int i = 0; i < v.length; i += 3) {
        w.write("v " + num(v[i]) + " " + num(v[i + 1]) + " " + num(v[i + 2]) + "\n");
      }
      int[] q = mesh.quads();
      for (int i = 0; i < q.length; i += 4) {
        // OBJ indices are 1-based.
        w.write(
            "f "
                + (q[i] + 1)
                + " "
                + (q[i + 1] + 1)
                + " "
                + (q[i + 2] + 1)
                + " "
                + (q[i + 3] + 1)
                + "\n");
      }
    }
  }

  private static String num(float f) {
    return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
  }
}
