package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.Digests;
import io.distillery.mdt.cli.Mdt;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt distill} with a TorchScript teacher {@code v(x, 1000 t, cond)} on a user dataset of
 * .npz shards: the student is a trainable second load of the module, exported as the module plus
 * its distilled weights; without the built-in shapes the evaluation measures speed only.
 */
class TorchScriptDistillationTest {
  static final Path TINY = Path.of("src/test/resources/torchscript/tiny_teacher.pt");

  @Test
  void distillsATorchScriptTeacherOnUserData(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    writeShard(data.resolve("shard-0.npz"), 24);
    String teacherDigest = Digests.ofFile(TINY);
    Path out = dir.resolve("out");

    int code =
        Mdt.run(
            "distill",
            "--out",
            out.toString(),
            "--progress-port",
            "0",
            "--set",
            "teacher.format=torchscript",
            "--set",
            "teacher.uri=" + TINY.toAbsolutePath(),
            "--set",
            "teacher.sampler.steps=3",
            "--set",
            "dataset.uri=" + data,
            "--set",
            "dataset.heldOutSamples=4",
            "--set",
            "model.resolution=2",
            "--set",
            "model.patchSize=1",
            "--set",
            "model.numClasses=3",
            "--set",
            "hyperparameters.maxSteps=3",
            "--set",
            "hyperparameters.batchSize=4",
            "--set",
            "evaluation.samples=8",
            "--set",
            "terminationMessagePath=" + out.resolve("termination-log"));

    assertThat(code).isEqualTo(ExitCodes.OK);
    Artifact student = Artifact.open(out.resolve("student-mdt"));
    assertThat(student.files()).contains(Teacher.TORCHSCRIPT_FILE, "weights.safetensors");
    assertThat(student.modelJson().path("kind").asText()).isEqualTo(Teacher.TORCHSCRIPT_KIND);
    assertThat(student.modelJson().path("guidanceBakedIn").asBoolean()).isTrue();
    assertThat(Digests.ofFile(TINY)).as("the teacher file is left alone").isEqualTo(teacherDigest);

    TrainerResult r = TrainerResult.parseOrNull(Files.readString(out.resolve("result.json")));
    assertThat(r.digest).isEqualTo(student.digest());
    assertThat(r.metrics).containsKeys("teacher", "1", "2");
    assertThat(r.metrics.get("1").fd).as("no classifier for this data").isNull();
    assertThat(r.metrics.get("1").nfe).isEqualTo(1);
    assertThat(r.speedup.get("1")).isPositive();
  }

  @Test
  void anFdGateOnUserDataIsRefusedBeforeTraining(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    writeShard(data.resolve("shard-0.npz"), 8);
    int code =
        Mdt.run(
            "distill",
            "--out",
            dir.resolve("out").toString(),
            "--set",
            "teacher.format=torchscript",
            "--set",
            "teacher.uri=" + TINY.toAbsolutePath(),
            "--set",
            "dataset.uri=" + data,
            "--set",
            "evaluation.maxFdRatio=1.5");
    assertThat(code).isEqualTo(ExitCodes.INVALID_CONFIG);
  }

  /** {@code count} random 2^3 occupancy grids (-1/+1) with labels 0..2, as x and y of an npz. */
  private static void writeShard(Path file, int count) throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[count * 8];
    long[] y = new long[count];
    for (int i = 0; i < count; i++) {
      y[i] = i % 3;
      for (int k = 0; k < 8; k++) {
        x[i * 8 + k] = r.nextDouble() < 0.3 + 0.2 * y[i] ? 1f : -1f;
      }
    }
    try (NDManager m = NDManager.newBaseManager();
        OutputStream os = Files.newOutputStream(file)) {
      NDArray xs = m.create(x, new Shape(count, 1, 2, 2, 2));
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(os, NDList.Encoding.NPZ);
    }
  }
}
