package io.distillery.mdt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.VoxelBatch;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderTest {
  @TempDir Path tmp;

  @Test
  void singleVoxelIsACubeAndTwoVoxelsShareAFace() {
    float[] one = new float[27];
    one[(1 * 3 + 1) * 3 + 1] = 1;
    VoxelMesh cube = VoxelMesh.of(one, 3);
    assertThat(cube.vertexCount()).isEqualTo(8);
    assertThat(cube.quadCount()).isEqualTo(6);

    float[] two = one.clone();
    two[(2 * 3 + 1) * 3 + 1] = 1;
    VoxelMesh bar = VoxelMesh.of(two, 3);
    assertThat(bar.vertexCount()).isEqualTo(12);
    assertThat(bar.quadCount()).isEqualTo(10);
  }

  @Test
  void plyAndObjFilesParseBackToTheMesh() throws IOException {
    VoxelBatch shapes = BuiltinShapes.generate(16, 8, 3, Split.TRAIN);
    float[] occ = shapes.occupancy(0);
    Path ply = tmp.resolve("shape.ply");
    Path obj = tmp.resolve("shape.obj");
    VoxelMesh mesh = MeshWriter.write(occ, 16, ply);
    MeshWriter.write(occ, 16, obj);
    assertThat(mesh.quadCount()).isGreaterThan(6);

    List<String> lines = Files.readAllLines(ply);
    assertThat(lines.get(0)).isEqualTo("ply");
    int vertices = headerCount(lines, "element vertex ");
    int faces = headerCount(lines, "element face ");
    int body = lines.indexOf("end_header") + 1;
    assertThat(vertices).isEqualTo(mesh.vertexCount());
    assertThat(faces).isEqualTo(mesh.quadCount());
    assertThat(lines).hasSize(body + vertices + faces);
    for (String face : lines.subList(body + vertices, lines.size())) {
      String[] parts = face.split(" ");
      assertThat(parts).hasSize(5);
      assertThat(parts[0]).isEqualTo("4");
      for (int k = 1; k < 5; k++) {
        assertThat(Integer.parseInt(parts[k])).isBetween(0, vertices - 1);
      }
    }
    for (String v : lines.subList(body, body + vertices)) {
      for (String coord : v.split(" ")) {
        assertThat(Float.parseFloat(coord)).isBetween(0f, 16f);
      }
    }

    int objVertices = 0;
    int objFaces = 0;
    Set<String> edges = new HashSet<>();
    int edgeUses = 0;
    for (String line : Files.readAllLines(obj)) {
      if (line.startsWith("v ")) {
        objVertices++;
      } else if (line.startsWith("f ")) {
        objFaces++;
        String[] idx = line.substring(2).split(" ");
        assertThat(idx).hasSize(4);
        for (int k = 0; k < 4; k++) {
          int a = Integer.parseInt(idx[k]);
          int b = Integer.parseInt(idx[(k + 1) % 4]);
          assertThat(a).isBetween(1, mesh.vertexCount());
          edges.add(Math.min(a, b) + "-" + Math.max(a, b));
          edgeUses++;
        }
      }
    }
    assertThat(objVertices).isEqualTo(mesh.vertexCount());
    assertThat(objFaces).isEqualTo(mesh.quadCount());
    // A closed surface: every edge is shared by an even number of faces (2, or 4 where two
    // voxels touch along an edge only).
    assertThat(edgeUses % 2).isZero();
    assertThat(edges.size()).isLessThanOrEqualTo(edgeUses / 2);
    assertThatThrownBy(() -> MeshWriter.write(occ, 16, tmp.resolve("shape.stl")))
        .hasMessageContaining(".ply, .obj or .glb");
  }

  @Test
  void previewAndContactSheetDecodeWithTheExpectedSize() throws IOException {
    VoxelBatch shapes = BuiltinShapes.generate(16, 10, 5, Split.TRAIN);
    Path one = tmp.resolve("one.png");
    PreviewRenderer.writePng(PreviewRenderer.render(shapes.occupancy(0), 16, 200, 160), one);
    BufferedImage img = ImageIO.read(one.toFile());
    assertThat(img.getWidth()).isEqualTo(200);
    assertThat(img.getHeight()).isEqualTo(160);
    assertThat(nonWhite(img)).isGreaterThan(500);

    List<float[]> grids = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < shapes.count(); i++) {
      grids.add(shapes.occupancy(i));
      labels.add(BuiltinShapes.CLASS_NAMES.get(shapes.labels()[i]));
    }
    Path sheet = tmp.resolve("sheet.png");
    PreviewRenderer.writePng(PreviewRenderer.sheet(grids, 16, labels, 4, 96), sheet);
    BufferedImage s = ImageIO.read(sheet.toFile());
    assertThat(s.getWidth()).isEqualTo(4 * 96);
    assertThat(s.getHeight()).isEqualTo(3 * (96 + 18));

    BufferedImage empty = PreviewRenderer.render(new float[16 * 16 * 16], 16, 64, 64);
    assertThat(nonWhite(empty)).isLessThan(nonWhite(img) / 4);
  }

  @Test
  void lossPlotIsAPng() throws IOException {
    List<double[]> vm = new ArrayList<>();
    List<double[]> vd = new ArrayList<>();
    for (int s = 1; s <= 100; s++) {
      vm.add(new double[] {s, 1.0 / s});
      vd.add(new double[] {s, 0.5 + 0.1 * Math.sin(s)});
    }
    Path png = tmp.resolve("plots/loss.png");
    LossPlot.write(png, "distillation", Map.of("loss_vm", vm, "loss_vd", vd));
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(800);
    assertThat(img.getHeight()).isEqualTo(450);

    Path log = tmp.resolve("log.png");
    LossPlot.write(log, "teacher", List.of(new LossPlot.Series("loss", vm)), true, 300, 200);
    assertThat(ImageIO.read(log.toFile()).getWidth()).isEqualTo(300);
  }

  private static int headerCount(List<String> lines, String prefix) {
    return lines.stream()
        .filter(l -> l.startsWith(prefix))
        .mapToInt(l -> Integer.parseInt(l.substring(prefix.length())))
        .findFirst()
        .orElseThrow();
  }

  private static int nonWhite(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
          n++;
        }
      }
    }
    return n;
  }
}
