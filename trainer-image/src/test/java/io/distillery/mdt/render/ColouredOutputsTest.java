package io.distillery.mdt.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coloured meshes and previews, read back independently of their writers: every face carries the
 * colour of the filled voxel it bounds, in PLY vertex colours, OBJ materials, GLB {@code COLOR_0}
 * (Khronos-validated) and preview pixels. Colours of empty voxels are NaN here: they must not
 * matter.
 */
class ColouredOutputsTest {
  @TempDir Path tmp;

  private static final int RED = 0xFF0000;
  private static final int BLUE = 0x0000FF;

  /** A grid, its colours and the colour each voxel must show (0xRRGGBB, -1 if empty). */
  private record Coloured(int r, float[] occupancy, float[] colours, int[] expected) {}

  /** Two voxels side by side along x at r = 3: (1, 1, 1) red, (2, 1, 1) blue. */
  private static Coloured twoVoxels() {
    int r = 3;
    float[] occ = new float[27];
    int[] expected = new int[27];
    java.util.Arrays.fill(expected, -1);
    float[] colours = new float[81];
    java.util.Arrays.fill(colours, Float.NaN);
    int red = (1 * r + 1) * r + 1;
    int blue = (2 * r + 1) * r + 1;
    occ[red] = 1;
    occ[blue] = 1;
    set(colours, r, red, 1, -1, -1);
    set(colours, r, blue, -1, -1, 1);
    expected[red] = RED;
    expected[blue] = BLUE;
    return new Coloured(r, occ, colours, expected);
  }

  /** A grid with random colours in [-1.2, 1.2] (so some are clamped) on its filled voxels. */
  private static Coloured randomColours(float[] occ, int r, long seed) {
    Random random = new Random(seed);
    int n = r * r * r;
    float[] colours = new float[3 * n];
    int[] expected = new int[n];
    for (int i = 0; i < n; i++) {
      expected[i] = -1;
      if (occ[i] > 0.5f) {
        set(colours, r, i, uniform(random), uniform(random), uniform(random));
        expected[i] = 0;
        for (int ch = 0; ch < 3; ch++) {
          double c = Math.min(1, Math.max(0, (colours[ch * n + i] + 1) / 2.0));
          expected[i] = expected[i] << 8 | (int) Math.round(c * 255);
        }
      } else {
        set(colours, r, i, Float.NaN, Float.NaN, Float.NaN);
      }
    }
    return new Coloured(r, occ, colours, expected);
  }

  private static List<Coloured> grids() {
    float[] noisy = new float[40 * 40 * 40];
    Random random = new Random(5);
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = random.nextFloat() < 0.3f ? 1 : 0;
    }
    return List.of(
        twoVoxels(),
        randomColours(BuiltinShapes.generate(16, 4, 7, Split.TRAIN).occupancy(1), 16, 1),
        randomColours(noisy, 40, 2),
        randomColours(new float[8 * 8 * 8], 8, 3));
  }

  @Test
  void facesOfDifferentColoursShareNoVertex() {
    ColouredVoxelMesh bar = ColouredVoxelMesh.of(twoVoxels().occupancy(), twoVoxels().colours(), 3);
    assertThat(bar.quadCount()).isEqualTo(10);
    // Each voxel keeps its own 8 corners: the 4 on the plane between them are doubled.
    assertThat(bar.vertexCount()).isEqualTo(16);
    Coloured shape = grids().get(1);
    assertThat(ColouredVoxelMesh.of(shape.occupancy(), shape.colours(), 16).quadCount())
        .isEqualTo(VoxelMesh.of(shape.occupancy(), 16).quadCount());
  }

  @Test
  void plyVertexColoursAreTheirVoxelsColours() throws IOException {
    for (Coloured g : grids()) {
      Path file = tmp.resolve("grid.ply");
      MeshWriter.write(g.occupancy(), g.colours(), g.r(), file);
      MeshFiles.ColouredPly ply = MeshFiles.colouredPly(file);
      assertClosedAroundTheVoxels(ply.mesh(), g, 1);
      List<Integer> faceColours = new ArrayList<>();
      for (int[] face : ply.mesh().polygons()) {
        int want = g.expected()[voxel(ply.mesh().positions(), face, g.r(), 1)];
        for (int v : face) {
          assertThat(ply.rgb()[v]).as("vertex %d", v).isEqualTo(want);
        }
        faceColours.add(want);
      }
      if (g.r() == 3) {
        assertThat(faceColours).containsOnly(RED, BLUE).filteredOn(c -> c == RED).hasSize(5);
      }
    }
  }

  @Test
  void objFacesUseOneMaterialPerColourFromTheMtlBesideIt() throws IOException {
    for (Coloured g : grids()) {
      Path file = tmp.resolve("grid-" + g.r() + ".obj");
      MeshWriter.write(g.occupancy(), g.colours(), g.r(), file);
      MeshFiles.Obj obj = MeshFiles.objWithMaterials(file);
      assertThat(obj.mtllib()).isEqualTo("grid-" + g.r() + ".mtl");
      Map<String, float[]> kd = MeshFiles.mtl(tmp.resolve(obj.mtllib()));
      assertClosedAroundTheVoxels(obj.mesh(), g, 1);
      Set<Integer> colours = new HashSet<>();
      for (int f = 0; f < obj.mesh().polygons().size(); f++) {
        int want =
            g.expected()[voxel(obj.mesh().positions(), obj.mesh().polygons().get(f), g.r(), 1)];
        float[] c = kd.get(obj.faceMaterials().get(f));
        assertThat(c).as("Kd of face %d", f).isNotNull();
        assertThat(c[0]).isCloseTo((want >> 16) / 255f, within(1e-5f));
        assertThat(c[1]).isCloseTo((want >> 8 & 0xFF) / 255f, within(1e-5f));
        assertThat(c[2]).isCloseTo((want & 0xFF) / 255f, within(1e-5f));
        colours.add(want);
      }
      // One material per distinct colour, each one usemtl group.
      assertThat(kd).hasSize(colours.size());
      try (Stream<String> lines = Files.lines(file)) {
        assertThat(lines.filter(l -> l.startsWith("usemtl ")).count()).isEqualTo(colours.size());
      }
    }
    assertThat(tmp.resolve("grid-3.mtl")).exists();
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void glbColor0PassesTheGltfValidatorAndIsEachVoxelsLinearColour() throws Exception {
    List<Path> files = new ArrayList<>();
    Map<Path, Coloured> byFile = new LinkedHashMap<>();
    for (Coloured g : grids()) {
      Path file = tmp.resolve("grid-" + g.r() + ".glb");
      MeshWriter.write(g.occupancy(), g.colours(), g.r(), file);
      files.add(file);
      byFile.put(file, g);
    }
    for (JsonNode report : GltfValidator.validate(files)) {
      assertThat(report.get("errors").asInt() + report.get("warnings").asInt())
          .as("%s: %s", report.get("file").asText(), report.get("messages"))
          .isZero();
    }
    for (Map.Entry<Path, Coloured> e : byFile.entrySet()) {
      Coloured g = e.getValue();
      MeshFiles.Glb glb = MeshFiles.glb(Files.readAllBytes(e.getKey()));
      if (glb.mesh().polygons().isEmpty()) {
        continue;
      }
      JsonNode prim = glb.json().at("/meshes/0/primitives/0");
      JsonNode accessor = glb.json().at("/accessors/" + prim.at("/attributes/COLOR_0").asInt());
      assertThat(accessor.get("type").asText()).isEqualTo("VEC3");
      assertThat(accessor.get("componentType").asInt()).isEqualTo(5126);
      assertThat(glb.colours()).hasSameSizeAs(glb.mesh().positions());
      assertThat(glb.json().at("/materials/0/pbrMetallicRoughness/baseColorFactor").toString())
          .isEqualTo("[1.0,1.0,1.0,1.0]");
      assertClosedAroundTheVoxels(glb.mesh(), g, g.r());
      for (int[] tri : glb.mesh().polygons()) {
        int want = g.expected()[voxel(glb.mesh().positions(), tri, g.r(), g.r())];
        for (int v : tri) {
          for (int ch = 0; ch < 3; ch++) {
            double srgb = (want >> (16 - 8 * ch) & 0xFF) / 255.0;
            double linear = srgb <= 0.04045 ? srgb / 12.92 : Math.pow((srgb + 0.055) / 1.055, 2.4);
            assertThat((double) glb.colours()[3 * v + ch]).isCloseTo(linear, within(1e-6));
          }
        }
      }
    }
  }

  @Test
  void colouredPreviewShowsTheVoxelColoursUnderTheLighting() throws IOException {
    int r = 4;
    float[] occ = new float[r * r * r];
    float[] colours = new float[3 * r * r * r];
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < 2; y++) {
        for (int z = 0; z < r; z++) {
          int i = (x * r + y) * r + z;
          occ[i] = 1;
          if (x < 2) {
            set(colours, r, i, 1, -1, -1);
          } else {
            set(colours, r, i, -1, -1, 1);
          }
        }
      }
    }
    Path png = tmp.resolve("preview.png");
    PreviewRenderer.writePng(PreviewRenderer.render(occ, colours, r, 200, 160), png);
    BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
    assertThat(count(img, RED)).isGreaterThan(500);
    assertThat(count(img, BLUE)).isGreaterThan(500);
    // Lit, not flat: the top, side and front of the red half show different reds.
    assertThat(shades(img, RED)).isGreaterThanOrEqualTo(3);

    float[] allRed = new float[3 * r * r * r];
    float[] allBlue = new float[3 * r * r * r];
    for (int i = 0; i < r * r * r; i++) {
      set(allRed, r, i, 1, -1, -1);
      set(allBlue, r, i, -1, -1, 1);
    }
    BufferedImage sheet =
        PreviewRenderer.sheet(
            List.of(occ, occ), List.of(allRed, allBlue), r, List.of("red", "blue"), 2, 96);
    assertThat(sheet.getWidth()).isEqualTo(2 * 96);
    assertThat(count(sheet.getSubimage(0, 0, 96, 96), RED)).isGreaterThan(200);
    assertThat(count(sheet.getSubimage(0, 0, 96, 96), BLUE)).isZero();
    assertThat(count(sheet.getSubimage(96, 0, 96, 96), BLUE)).isGreaterThan(200);
    assertThat(count(sheet.getSubimage(96, 0, 96, 96), RED)).isZero();
  }

  @Test
  void badColoursAreRefusedNamingTheProblem() {
    float[] occ = twoVoxels().occupancy();
    assertThatThrownBy(() -> ColouredVoxelMesh.of(occ, new float[27], 3))
        .hasMessageContaining("colours has 27 values, not 3 * 3^3 = 81");
    float[] nan = twoVoxels().colours();
    nan[(1 * 3 + 1) * 3 + 1] = Float.NaN; // red channel of a filled voxel
    assertThatThrownBy(() -> GlbWriter.encode(occ, nan, 3)).hasMessageContaining("is NaN");
    assertThatThrownBy(() -> PreviewRenderer.render(occ, new float[3], 3, 64, 64))
        .hasMessageContaining("colours has 3 values");
    assertThatThrownBy(() -> PreviewRenderer.sheet(List.of(occ), List.of(), 3, null, 1, 64))
        .hasMessageContaining("0 colour arrays for 1 grids");
    assertThatThrownBy(
            () -> MeshWriter.write(occ, twoVoxels().colours(), 3, tmp.resolve("bar.stl")))
        .hasMessageContaining(".ply, .obj or .glb");
  }

  /** Closed, wound outward, enclosing the filled voxels; {@code scale} = positions per voxel. */
  private static void assertClosedAroundTheVoxels(MeshFiles.Polygons mesh, Coloured g, int scale) {
    assertThat(SurfaceCheck.unbalancedEdges(mesh.positions(), mesh.polygons())).isZero();
    long filled = 0;
    for (float v : g.occupancy()) {
      filled += v > 0.5f ? 1 : 0;
    }
    double unit = scale == 1 ? 1 : Math.pow(g.r(), -3);
    assertThat(SurfaceCheck.signedVolume(mesh.positions(), mesh.polygons()))
        .isCloseTo(filled * unit, within(1e-4 * Math.max(1, filled * unit)));
  }

  /**
   * The grid index of the voxel a face bounds: half a voxel inwards from its centroid, against its
   * outward (counter-clockwise) normal. {@code perVoxel}: 1 for voxel units, R for GLB metres.
   */
  private static int voxel(float[] p, int[] face, int r, int perVoxel) {
    double[][] c = new double[3][3];
    double[] centroid = new double[3];
    for (int k = 0; k < 3; k++) {
      for (int a = 0; a < 3; a++) {
        double v = p[3 * face[k] + a];
        c[k][a] = perVoxel == 1 ? v : (v + 0.5) * r;
      }
    }
    for (int v : face) {
      for (int a = 0; a < 3; a++) {
        double x = p[3 * v + a];
        centroid[a] += (perVoxel == 1 ? x : (x + 0.5) * r) / face.length;
      }
    }
    double[] u = {c[1][0] - c[0][0], c[1][1] - c[0][1], c[1][2] - c[0][2]};
    double[] w = {c[2][0] - c[0][0], c[2][1] - c[0][1], c[2][2] - c[0][2]};
    double[] n = {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
    double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    int[] xyz = new int[3];
    for (int a = 0; a < 3; a++) {
      xyz[a] = (int) Math.floor(centroid[a] - 0.5 * n[a] / len);
    }
    return (xyz[0] * r + xyz[1]) * r + xyz[2];
  }

  private static void set(float[] colours, int r, int voxel, float red, float green, float blue) {
    int n = r * r * r;
    colours[voxel] = red;
    colours[n + voxel] = green;
    colours[2 * n + voxel] = blue;
  }

  private static float uniform(Random random) {
    return random.nextFloat() * 2.4f - 1.2f;
  }

  /** Pixels clearly of the hue of {@code pure} (red or blue): that channel high, the others low. */
  private static int count(BufferedImage img, int pure) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (isHue(img.getRGB(x, y), pure)) {
          n++;
        }
      }
    }
    return n;
  }

  private static long shades(BufferedImage img, int pure) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (isHue(img.getRGB(x, y), pure)) {
          seen.add(img.getRGB(x, y) & 0xFFFFFF);
        }
      }
    }
    return seen.size();
  }

  private static boolean isHue(int argb, int pure) {
    int red = argb >> 16 & 0xFF;
    int green = argb >> 8 & 0xFF;
    int blue = argb & 0xFF;
    int main = pure == RED ? red : blue;
    int other = pure == RED ? blue : red;
    return main > 120 && other < 60 && green < 60;
  }
}
