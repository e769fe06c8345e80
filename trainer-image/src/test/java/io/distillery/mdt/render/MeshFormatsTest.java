package io.distillery.mdt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.VoxelBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every mesh format mdt writes, read back by something other than its writer: GLB by the Khronos
 * glTF validator and a strict reader, PLY and OBJ by strict readers; each surface closed, wound
 * counter-clockwise from outside, enclosing exactly the filled voxels.
 */
class MeshFormatsTest {
  @TempDir Path tmp;

  /** Grids by name: built-in shapes, the corner cases, and one large enough for 32-bit indices. */
  private static Map<String, float[]> grids(Map<String, Integer> resolutions) {
    Map<String, float[]> out = new LinkedHashMap<>();
    VoxelBatch shapes = BuiltinShapes.generate(16, 8, 7, Split.TRAIN);
    for (int j = 0; j < shapes.count(); j++) {
      out.put("shape-" + j, shapes.occupancy(j));
      resolutions.put("shape-" + j, 16);
    }
    float[] one = new float[27];
    one[13] = 1;
    out.put("one-voxel", one);
    resolutions.put("one-voxel", 3);
    out.put("empty", new float[16 * 16 * 16]);
    resolutions.put("empty", 16);
    float[] full = new float[16 * 16 * 16];
    java.util.Arrays.fill(full, 1);
    out.put("full", full);
    resolutions.put("full", 16);
    float[] noisy = new float[40 * 40 * 40];
    Random random = new Random(3);
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = random.nextFloat() < 0.3f ? 1 : 0;
    }
    out.put("noisy-40", noisy);
    resolutions.put("noisy-40", 40);
    return out;
  }

  @Test
  void theGltfValidatorFindsNoErrorsAndNoWarnings() throws Exception {
    Map<String, Integer> res = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, float[]> g : grids(res).entrySet()) {
      Path file = tmp.resolve(g.getKey() + ".glb");
      GlbWriter.write(g.getValue(), res.get(g.getKey()), file);
      files.add(file);
    }
    for (JsonNode report : GltfValidator.validate(files)) {
      assertThat(report.get("errors").asInt() + report.get("warnings").asInt())
          .as("%s: %s", report.get("file").asText(), report.get("messages"))
          .isZero();
    }
  }

  @Test
  void glbIsAClosedOutwardSurfaceOfOneMetreWithYUp() throws IOException {
    Map<String, Integer> res = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> g : grids(res).entrySet()) {
      int r = res.get(g.getKey());
      MeshFiles.Glb glb = MeshFiles.glb(GlbWriter.encode(g.getValue(), r));
      assertThat(glb.json().at("/asset/version").asText()).isEqualTo("2.0");
      MeshFiles.Polygons mesh = glb.mesh();
      double voxels = filled(g.getValue());
      assertThat(SurfaceCheck.unbalancedEdges(mesh.positions(), mesh.polygons()))
          .as(g.getKey())
          .isZero();
      assertThat(SurfaceCheck.signedVolume(mesh.positions(), mesh.polygons()))
          .as("%s encloses its voxels, in cubic metres", g.getKey())
          .isCloseTo(voxels / ((double) r * r * r), within(1e-4));
      for (float p : mesh.positions()) {
        assertThat(p).isBetween(-0.5f, 0.5f);
      }
      float[] n = glb.normals();
      for (int i = 0; i < n.length; i += 3) {
        assertThat(n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2])
            .isCloseTo(1f, within(1e-5f));
      }
    }
  }

  @Test
  void aVoxelAtTheTopOfTheGridIsHigherInY() throws IOException {
    int r = 4;
    float[] top = new float[r * r * r];
    top[(1 * r + (r - 1)) * r + 1] = 1; // x = 1, y = top, z = 1
    float[] p = MeshFiles.glb(GlbWriter.encode(top, r)).mesh().positions();
    for (int i = 1; i < p.length; i += 3) {
      assertThat(p[i]).isGreaterThanOrEqualTo(0.25f);
    }
  }

  @Test
  void anEmptyGridIsAnEmptySceneNotAnEmptyMesh() throws IOException {
    MeshFiles.Glb glb = MeshFiles.glb(GlbWriter.encode(new float[8], 2));
    assertThat(glb.json().at("/scenes/0").has("nodes")).isFalse();
    assertThat(glb.json().has("meshes")).isFalse();
    assertThat(glb.mesh().polygons()).isEmpty();
  }

  @Test
  void plyAndObjReadBackAsClosedOutwardSurfaces() throws IOException {
    Map<String, Integer> res = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> g : grids(res).entrySet()) {
      int r = res.get(g.getKey());
      Path ply = tmp.resolve(g.getKey() + ".ply");
      Path obj = tmp.resolve(g.getKey() + ".obj");
      MeshWriter.write(g.getValue(), r, ply);
      MeshWriter.write(g.getValue(), r, obj);
      for (MeshFiles.Polygons mesh : List.of(MeshFiles.ply(ply), MeshFiles.obj(obj))) {
        assertThat(SurfaceCheck.unbalancedEdges(mesh.positions(), mesh.polygons()))
            .as(g.getKey())
            .isZero();
        assertThat(SurfaceCheck.signedVolume(mesh.positions(), mesh.polygons()))
            .as("%s encloses its voxels (voxel units)", g.getKey())
            .isCloseTo(filled(g.getValue()), within(1e-6));
      }
    }
    assertThat(Files.size(tmp.resolve("empty.ply"))).isPositive();
  }

  private static double filled(float[] occupancy) {
    int n = 0;
    for (float v : occupancy) {
      n += v > 0.5f ? 1 : 0;
    }
    return n;
  }
}
