package io.distillery.mdt.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.TinyPipelines;
import io.distillery.mdt.model.UnsupportedArtifactException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt sample} on a pipeline: structure, thresholded, then colours on it; coloured meshes and
 * sheet for every shape, both stage digests recorded, reproducible by seed.
 */
class PipelineShapesTest {
  @TempDir static Path tmp;
  static Artifact structure;
  static Artifact appearance;
  static Artifact pipeline;

  @TempDir Path dir;

  @BeforeAll
  static void stages() throws Exception {
    structure = TinyPipelines.structure(tmp.resolve("structure"), 1);
    appearance = TinyPipelines.appearance(tmp.resolve("appearance"), 2);
    pipeline = pipeline("pipe", 0);
  }

  static Artifact pipeline(String name, double threshold) throws Exception {
    return Pipelines.write(tmp.resolve(name), structure.dir(), appearance.dir(), threshold);
  }

  static SampleShapes.Result sample(Path model, long seed, Path out) throws Exception {
    return SampleShapes.run(
        new SampleShapes.Request(
            model, List.of(), 2, seed, null, null, null, out, Device.cpu(), null, null));
  }

  @Test
  void theChainColoursEveryNonEmptyStructureAndRecordsBothStages() throws Exception {
    Path out = dir.resolve("samples");
    SampleShapes.Result r = sample(pipeline.dir(), 10, out);

    assertThat(r.shapes()).hasSize(6);
    assertThat(r.appearanceSampler()).isEqualTo(TinyPipelines.SAMPLER);
    // The structure stage is sampled exactly as the structure model alone samples it.
    SampleShapes.Result alone = sample(structure.dir(), 10, dir.resolve("alone"));
    assertThat(r.grids().data()).isEqualTo(alone.grids().data());

    int coloured = 0;
    for (int j = 0; j < r.shapes().size(); j++) {
      float[] occ = r.grids().occupancy(j);
      float[] rgb = colours(r.appearance(), j);
      boolean filled = false;
      for (int k = 0; k < occ.length; k++) {
        filled |= occ[k] > 0;
      }
      String name = r.shapes().get(j);
      String ply = Files.readString(out.resolve(name + ".ply"));
      assertThat(out.resolve(name + ".obj")).exists();
      assertThat(out.resolve(name + ".glb")).exists();
      if (!filled) {
        assertThat(rgb).containsOnly(0f);
        continue;
      }
      coloured++;
      for (int k = 0; k < occ.length; k++) {
        for (int c = 0; c < 3; c++) {
          float v = rgb[c * occ.length + k];
          if (occ[k] > 0) {
            assertThat(v).as("shape %d voxel %d channel %d", j, k, c).isNotZero();
          } else {
            assertThat(v).as("shape %d voxel %d channel %d", j, k, c).isZero();
          }
        }
      }
      assertThat(ply).contains("property uchar red");
      assertThat(Files.readString(out.resolve(name + ".obj"))).contains("mtllib " + name + ".mtl");
      assertThat(Files.readString(out.resolve(name + ".mtl"))).contains("Kd ");
      assertThat(glbJson(out.resolve(name + ".glb"))).contains("COLOR_0");
    }
    assertThat(coloured).as("shapes with a non-empty structure").isPositive();
    assertThat(coloured + r.emptyStructures()).isEqualTo(6);
    assertThat(out.resolve(SampleShapes.SHEET)).isNotEmptyFile();

    JsonNode json = Artifact.open(out).modelJson();
    assertThat(json.path("kind").asText()).isEqualTo("samples");
    assertThat(json.path("modelDigest").asText()).isEqualTo(pipeline.digest());
    assertThat(json.at("/stages/structure/digest").asText()).isEqualTo(structure.digest());
    assertThat(json.at("/stages/appearance/digest").asText()).isEqualTo(appearance.digest());
    assertThat(json.path("emptyStructures").asInt()).isEqualTo(r.emptyStructures());
  }

  @Test
  void theSameSeedGivesTheSameFilesAndAnotherSeedOthers() throws Exception {
    SampleShapes.Result a = sample(pipeline.dir(), 3, dir.resolve("a"));
    SampleShapes.Result b = sample(pipeline.dir(), 3, dir.resolve("b"));
    SampleShapes.Result c = sample(pipeline.dir(), 4, dir.resolve("c"));

    assertThat(b.digest()).isEqualTo(a.digest());
    assertThat(c.digest()).isNotEqualTo(a.digest());
    for (String f : Artifact.open(a.dir()).files()) {
      assertThat(Files.readAllBytes(b.dir().resolve(f)))
          .as(f)
          .isEqualTo(Files.readAllBytes(a.dir().resolve(f)));
    }
  }

  @Test
  void theAppearanceStageDrawsOtherNoiseThanTheStructureStage() {
    assertThat(SeededSampling.noise(7, SeededSampling.APPEARANCE_STREAM, 16))
        .isNotEqualTo(SeededSampling.noise(7, SeededSampling.STRUCTURE_STREAM, 16));
    assertThat(SeededSampling.noise(7, SeededSampling.STRUCTURE_STREAM, 16))
        .isEqualTo(SeededSampling.noise(7, 16));
  }

  @Test
  void emptyStructuresGetNoAppearanceAndAreCounted() throws Exception {
    Artifact nothing = pipeline("pipe-nothing", 1e6);
    Path out = dir.resolve("empty");
    SampleShapes.Result r = sample(nothing.dir(), 10, out);

    assertThat(r.emptyStructures()).isEqualTo(6);
    assertThat(r.appearance().data()).containsOnly(0f);
    for (String name : r.shapes()) {
      assertThat(Files.readString(out.resolve(name + ".ply")))
          .startsWith("ply")
          .doesNotContain("red");
      assertThat(out.resolve(name + ".glb")).exists();
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve(Artifact.MODEL_JSON).toFile());
    assertThat(json.path("emptyStructures").asInt()).isEqualTo(6);
    assertThat(json.path("emptyStructureShapes")).hasSize(6);
  }

  @Test
  void everyVoxelOccupiedColoursEveryVoxel() throws Exception {
    Artifact full = pipeline("pipe-full", -1e6);
    SampleShapes.Result r =
        SampleShapes.run(
            new SampleShapes.Request(
                full.dir(),
                List.of("b"),
                1,
                5,
                null,
                null,
                null,
                dir.resolve("full"),
                Device.cpu(),
                1,
                0.0));
    assertThat(r.emptyStructures()).isZero();
    assertThat(r.appearanceSampler().steps()).isEqualTo(1);
    assertThat(r.appearanceSampler().cfgStrength()).isZero();
    for (float v : r.appearance().data()) {
      assertThat(v).isNotZero();
    }
    assertThat(Artifact.open(r.dir()).modelJson().at("/stages/appearance/sampler/steps").asInt())
        .isEqualTo(1);
  }

  @Test
  void amongEmptyStructuresEachColouredShapeKeepsItsOwnSeed() throws Exception {
    // A threshold between the shapes' largest values: some structures come out empty, some not.
    VoxelBatch raw = sample(structure.dir(), 10, dir.resolve("raw")).grids();
    float[] maxima = new float[raw.count()];
    for (int j = 0; j < raw.count(); j++) {
      maxima[j] = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < raw.sampleSize(); k++) {
        maxima[j] = Math.max(maxima[j], raw.data()[j * raw.sampleSize() + k]);
      }
    }
    float[] sorted = maxima.clone();
    Arrays.sort(sorted);
    double threshold = (sorted[2] + sorted[3]) / 2.0;
    SampleShapes.Result r = sample(pipeline("pipe-some", threshold).dir(), 10, dir.resolve("some"));

    assertThat(r.emptyStructures()).isEqualTo(3);
    VoxelBatch occupancy = ThresholdedStructures.occupancy(raw, threshold);
    try (ModelArtifacts.Loaded model = ModelArtifacts.load(appearance.dir(), Device.cpu())) {
      for (int j = 0; j < raw.count(); j++) {
        if (maxima[j] <= threshold) {
          assertThat(colours(r.appearance(), j)).as("empty shape %d", j).containsOnly(0f);
          continue;
        }
        // Shape j alone, from its own seed in the appearance stream.
        VoxelBatch alone =
            SeededSampling.sample(
                model.model(),
                TinyPipelines.SAMPLER,
                new int[] {raw.labels()[j]},
                new long[] {10 + j},
                SeededSampling.APPEARANCE_STREAM,
                1,
                occupancy.slice(j, j + 1));
        float[] expected = alone.data();
        float[] actual = colours(r.appearance(), j);
        for (int k = 0; k < expected.length; k++) {
          assertThat(actual[k]).as("shape %d value %d", j, k).isCloseTo(expected[k], within(1e-4f));
        }
      }
    }
  }

  @Test
  void anAppearanceModelAloneIsRefusedPointingToAPipeline() {
    assertThatThrownBy(() -> sample(appearance.dir(), 0, dir.resolve("x")))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining(appearance.dir().toString())
        .hasMessageContaining("appearance model")
        .hasMessageContaining("mdt pipeline");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  private static float[] colours(VoxelBatch appearance, int j) {
    int per = appearance.sampleSize();
    return Arrays.copyOfRange(appearance.data(), j * per, (j + 1) * per);
  }

  /** The JSON chunk of a GLB file. */
  private static String glbJson(Path glb) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(glb)).order(ByteOrder.LITTLE_ENDIAN);
    int length = b.getInt(12);
    return new String(b.array(), 20, length, StandardCharsets.UTF_8);
  }
}
