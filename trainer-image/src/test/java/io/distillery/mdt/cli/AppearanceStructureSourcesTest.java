package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetIdentity;
import io.distillery.mdt.data.NpyShardDataset;
import io.distillery.mdt.data.VoxelBatch;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an appearance distillation's structures come from besides the built-in shapes: a structure
 * dataset of your own (.npz shards of occupancy) or a structure model's samples. Neither brings
 * colours, so the result has the paired error to the teacher and no appearance error; a structure
 * model of another resolution than the appearance teacher is refused naming both. Tiny models.
 */
class AppearanceStructureSourcesTest {
  @TempDir static Path dir;
  static Path appearanceTeacher;

  static final String[] TINY = {
    "--set", "model.patchSize=4",
    "--set", "model.width=16",
    "--set", "model.depth=1",
    "--set", "model.heads=2",
    "--set", "model.mlpRatio=2",
    "--set", "dataset.trainSamples=32",
    "--set", "dataset.heldOutSamples=8",
    "--set", "hyperparameters.batchSize=4",
    "--set", "evaluation.samples=8",
    "--set", "teacher.sampler.steps=3",
    "--set", "progressPort=0"
  };

  @BeforeAll
  static void trainAppearanceTeacher() {
    appearanceTeacher = train("appearance", 16, "a");
  }

  /** A tiny teacher of {@code stage} at {@code resolution}, trained for 3 steps. */
  static Path train(String stage, int resolution, String name) {
    MdtCli cli = new MdtCli();
    int code =
        cli.run(
            args(
                "train-teacher",
                "--set",
                "stage=" + stage,
                "--set",
                "model.channels=" + (stage.equals("appearance") ? 3 : 1),
                "--set",
                "model.resolution=" + resolution,
                "--set",
                "dataset.resolution=" + resolution,
                "--out",
                dir.resolve(name).toString(),
                "--steps",
                "3"));
    assertThat(code).as(cli.err.toString()).isZero();
    return dir.resolve(name + "/teacher");
  }

  static String[] args(String command, String... more) {
    String[] out = new String[1 + TINY.length + more.length];
    out[0] = command;
    System.arraycopy(TINY, 0, out, 1, TINY.length);
    System.arraycopy(more, 0, out, 1 + TINY.length, more.length);
    return out;
  }

  static String[] distill(Path out, String... source) {
    String[] common = {
      "distill",
      "--set",
      "stage=appearance",
      "--set",
      "model.channels=3",
      "--set",
      "teacher.uri=" + appearanceTeacher,
      "--set",
      "evaluation.maxPairedError=1000",
      "--out",
      out.toString(),
      "--steps",
      "2"
    };
    String[] all = Arrays.copyOf(common, common.length + source.length);
    System.arraycopy(source, 0, all, common.length, source.length);
    return args(all[0], Arrays.copyOfRange(all, 1, all.length));
  }

  /** What {@code run} writes to the process's standard error, the trainer's log. */
  static String logOf(Runnable run) {
    PrintStream saved = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      run.run();
    } finally {
      System.setErr(saved);
    }
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aShardDatasetOfStructuresGivesPairedErrorAndNoAppearanceError() throws Exception {
    Path data = Files.createDirectories(dir.resolve("structures"));
    // 40 built-in structures as occupancy shards, the last one emptied: it is left out.
    VoxelBatch shapes = BuiltinShapes.generate(16, 40, 3, BuiltinShapes.Split.TRAIN);
    float[] x = shapes.data().clone();
    Arrays.fill(x, 39 * shapes.sampleSize(), 40 * shapes.sampleSize(), -1f);
    long[] y = Arrays.stream(shapes.labels()).asLongStream().toArray();
    try (NDManager m = NDManager.newBaseManager();
        OutputStream os = Files.newOutputStream(data.resolve("shard-0.npz"))) {
      NDArray xs = m.create(x, new Shape(40, 1, 16, 16, 16));
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(os, NDList.Encoding.NPZ);
    }
    Files.write(data.resolve(NpyShardDataset.CLASSES_FILE), BuiltinShapes.CLASS_NAMES);

    MdtCli cli = new MdtCli();
    Path out = dir.resolve("from-dataset");
    String log =
        logOf(
            () ->
                assertThat(cli.run(distill(out, "--set", "dataset.uri=" + data)))
                    .as(cli.err.toString())
                    .isZero());

    // 40 grids, 8 held out (heldOutSamples): the emptied one (a training one) is left out.
    assertThat(log).contains("31 training, 8 held-out (1 and 0 empty ones left out)");
    assertThat(log).contains("teacher coloured 31 training structures");
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertThat(result.at("/metrics/1/pairedError").isNumber()).isTrue();
    assertThat(result.at("/metrics/teacher/pairedError").isNumber()).isTrue();
    assertThat(result.at("/metrics/1/appearanceError").isMissingNode()).isTrue();
    assertThat(result.at("/metrics/teacher/appearanceError").isMissingNode()).isTrue();
    assertThat(result.at("/speedup/1").isNumber()).isTrue();
    assertThat(result.at("/gate/passed").asBoolean()).isTrue();
    assertThat(out.resolve("student-mdt/evaluation/report.md")).content().contains("n/a");
    // The lineage identifies the shard directory by the listing of its files' digests.
    JsonNode dataset = lineageDataset(out);
    assertThat(dataset.path("how").asText()).isEqualTo(DatasetIdentity.LISTING);
    assertThat(dataset.path("uri").asText()).isEqualTo(data.toString());
    assertThat(dataset.path("digest").asText())
        .startsWith("sha256:")
        .isEqualTo(result.path("datasetDigest").asText());
  }

  @Test
  void aStructureModelsSamplesAreTheStructures() throws Exception {
    Path structureModel = train("structure", 16, "s16");
    MdtCli cli = new MdtCli();
    Path out = dir.resolve("from-model");
    String log =
        logOf(
            () ->
                assertThat(
                        cli.run(distill(out, "--set", "dataset.structureModel=" + structureModel)))
                    .as(cli.err.toString())
                    .isZero());

    assertThat(log).contains("structures from " + structureModel);
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertThat(result.at("/metrics/1/pairedError").isNumber()).isTrue();
    assertThat(result.at("/metrics/1/appearanceError").isMissingNode()).isTrue();
    assertThat(result.at("/gate/passed").asBoolean()).isTrue();
    JsonNode dataset = lineageDataset(out);
    assertThat(dataset.path("how").asText()).isEqualTo(DatasetIdentity.ARTIFACT);
    assertThat(dataset.path("digest").asText())
        .isEqualTo(Artifact.open(structureModel).digest())
        .isEqualTo(result.path("datasetDigest").asText());
  }

  private static JsonNode lineageDataset(Path out) throws java.io.IOException {
    return Artifact.open(out.resolve("student-mdt"))
        .modelJson()
        .path("training")
        .path("lineage")
        .path("dataset");
  }

  @Test
  void aStructureModelOfAnotherResolutionIsRefusedNamingBoth() {
    Path structureModel = train("structure", 32, "s32");
    MdtCli cli = new MdtCli();
    int code =
        cli.run(
            distill(dir.resolve("mismatch"), "--set", "dataset.structureModel=" + structureModel));

    assertThat(code).isEqualTo(3);
    assertThat(cli.err.toString())
        .contains(structureModel.toString())
        .contains("resolution 32")
        .contains("resolution 16");
  }
}
