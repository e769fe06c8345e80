package io.distillery.mdt.render;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a {@link VoxelMesh} as ASCII PLY or Wavefront OBJ (quads, shared vertices, voxel units),
 * or as binary glTF ({@link GlbWriter}: triangles, metres).
 */
public final class MeshWriter {
  private MeshWriter() {}

  /**
   * Writes the voxel surface of an occupancy grid as {@code .ply}, {@code .obj} or {@code .glb}.
   */
  public static VoxelMesh write(float[] occupancy, int resolution, Path file) throws IOException {
    VoxelMesh mesh = VoxelMesh.of(occupancy, resolution);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".ply")) {
      writePly(mesh, file);
    } else if (name.endsWith(".obj")) {
      writeObj(mesh, file);
    } else if (name.endsWith(".glb")) {
      Files.write(file, GlbWriter.encode(mesh, resolution));
    } else {
      throw new IllegalArgumentException(file + ": mesh files end in .ply, .obj or .glb");
    }
    return mesh;
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
