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
import io.distillery.mdt.serve.GenerationServer;
import io.distillery.mdt.serve.ServeOptions;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt distill} with a TorchScript teacher {@code v(x, 1000 t, cond)} on a user dataset of
 * .npz shards: the student is a trainable second load of the module, exported as the module plus
 * its distilled weights. No classifier knows this data, so the student's quality is measured
 * against the teacher's own samples (paired figures) and on the teacher's features or a module the
 * user supplies, and a quality gate applies to it as to the built-in shapes.
 */
class TorchScriptDistillationTest {
  static final Path TINY = Path.of("src/test/resources/torchscript/tiny_teacher.pt");

  /** {@code features(x) -> (N, 8 C)}: the samples flattened (make_tiny_teacher.py features). */
  static final Path TINY_FEATURES = Path.of("src/test/resources/torchscript/tiny_features.pt");

  /** Returns its input scaled: not (N, D) features (make_tiny_teacher.py not-features). */
  static final Path NOT_FEATURES = Path.of("src/test/resources/torchscript/tiny_not_features.pt");

  @Test
  void distillsATorchScriptTeacherOnUserData(@TempDir Path dir) throws Exception {
    Path data = shards(dir, 24);
    String teacherDigest = Digests.ofFile(TINY);
    Path out = dir.resolve("out");

    Run run =
        distillTiny(
            out,
            data,
            "teacher.sampler.steps=3",
            "hyperparameters.maxSteps=3",
            "evaluation.samples=8");

    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);
    Artifact student = Artifact.open(out.resolve("student-mdt"));
    assertThat(student.files()).contains(Teacher.TORCHSCRIPT_FILE, "weights.safetensors");
    assertThat(student.modelJson().path("kind").asText()).isEqualTo(Teacher.TORCHSCRIPT_KIND);
    assertThat(student.modelJson().path("guidanceBakedIn").asBoolean()).isTrue();
    assertThat(Digests.ofFile(TINY)).as("the teacher file is left alone").isEqualTo(teacherDigest);

    TrainerResult r = TrainerResult.parseOrNull(Files.readString(out.resolve("result.json")));
    assertThat(r.digest).isEqualTo(student.digest());
    assertThat(r.metrics).containsKeys("teacher", "1", "2");
    assertThat(r.metrics.get("1").classAccuracy).as("no classifier for this data").isNull();
    assertThat(r.features).isEqualTo("teacher");
    TrainerResult.Metrics one = r.metrics.get("1");
    assertThat(one.fd).as("FD to the held-out data on the teacher's features").isNotNull();
    assertThat(one.fdToTeacher).isNotNull();
    assertThat(one.pairedError).isPositive();
    assertThat(one.pairedCosine).isBetween(-1.0, 1.0);
    assertThat(one.pairedIoU).as("1-channel grids: occupancy").isBetween(0.0, 1.0);
    assertThat(r.metrics.get("teacher").pairedError).as("the reference itself").isNull();
    assertThat(one.nfe).isEqualTo(1);
    assertThat(r.speedup.get("1")).isPositive();
    assertThat(r.toJson().length()).isLessThan(TrainerResult.MAX_BYTES);
    // A TorchScript teacher is identified by the SHA-256 of its file.
    assertThat(r.teacherDigest).isEqualTo("sha256:" + teacherDigest);
    assertThat(student.modelJson().at("/training/lineage/teacher/digest").asText())
        .isEqualTo(r.teacherDigest);
    assertThat(r.datasetDigest).startsWith("sha256:");
  }

  @Test
  void qualityGatesApplyToUserDataAndAMissedOneFailsTheJobWithItsFigure(@TempDir Path dir)
      throws Exception {
    Path data = shards(dir, 24);
    String[] common = {
      "teacher.sampler.steps=3", "hyperparameters.maxSteps=2", "evaluation.samples=6"
    };

    Run passed =
        distillTiny(
            dir.resolve("pass"),
            data,
            concat(
                common,
                "evaluation.maxPairedError=10",
                "evaluation.maxFdRatio=1000",
                "evaluation.minPairedIoU=0.01"));
    assertThat(passed.code()).as(passed.err()).isEqualTo(ExitCodes.OK);
    TrainerResult ok = result(dir.resolve("pass"));
    assertThat(ok.gate.passed).isTrue();
    assertThat(ok.gate.pairedError).isPositive().isLessThanOrEqualTo(10);
    assertThat(ok.gate.pairedIoU).isNotNull();
    assertThat(ok.gate.fdRatio).isNotNull();

    Run failed =
        distillTiny(dir.resolve("fail"), data, concat(common, "evaluation.maxPairedError=1e-9"));
    assertThat(failed.code()).isEqualTo(ExitCodes.GATE_FAILED);
    TrainerResult bad = result(dir.resolve("fail"));
    assertThat(bad.gate.passed).isFalse();
    assertThat(bad.message).contains("paired error").contains("> maxPairedError 1.00e-09");
    assertThat(bad.gate.maxPairedError).isEqualTo(1e-9);
  }

  @Test
  void anIoUGateOnDataThatIsNotOccupancyIsRefusedBeforeTraining(@TempDir Path dir)
      throws Exception {
    Path data = shards(dir, 8, 2);
    Path out = dir.resolve("out");
    Run run = distillTiny(out, data, "model.channels=2", "evaluation.minPairedIoU=0.5");
    assertThat(run.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(run.err()).contains("evaluation.minPairedIoU").contains("2 channels");
    assertThat(out.resolve("student-mdt")).as("nothing trained in vain").doesNotExist();
  }

  @Test
  void aFeatureModuleTheUserSuppliesIsPinnedByItsDigestAndChecked(@TempDir Path dir)
      throws Exception {
    Path data = shards(dir, 16);
    String digest = "sha256:" + Digests.ofFile(TINY_FEATURES);
    String module = "evaluation.features.uri=" + TINY_FEATURES.toAbsolutePath();
    String[] common = {
      "hyperparameters.maxSteps=1", "evaluation.samples=4", "teacher.sampler.steps=2"
    };

    Run used =
        distillTiny(
            dir.resolve("ok"),
            data,
            concat(
                common,
                module,
                "evaluation.features.digest=" + digest,
                "evaluation.maxFdRatio=1000"));
    assertThat(used.code()).as(used.err()).isEqualTo(ExitCodes.OK);
    assertThat(result(dir.resolve("ok")).features).isEqualTo("torchscript " + digest);

    Run wrongDigest =
        distillTiny(
            dir.resolve("digest"),
            data,
            concat(common, module, "evaluation.features.digest=sha256:" + "0".repeat(64)));
    assertThat(wrongDigest.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(wrongDigest.err()).contains("evaluation.features").contains(digest).contains("0000");
    assertThat(dir.resolve("digest/student-mdt")).doesNotExist();

    // A module that returns (N, C, D, H, W), not (N, D) features; and one that takes other
    // arguments (the teacher's v(x, t, cond)).
    for (Path wrong : List.of(NOT_FEATURES, TINY)) {
      Path out = dir.resolve("shape-" + wrong.getFileName());
      Run notFeatures =
          distillTiny(
              out,
              data,
              concat(
                  common,
                  "evaluation.features.uri=" + wrong.toAbsolutePath(),
                  "evaluation.features.digest=sha256:" + Digests.ofFile(wrong)));
      assertThat(notFeatures.code()).as(notFeatures.err()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(notFeatures.err())
          .contains("evaluation.features: " + wrong.toAbsolutePath())
          .containsAnyOf(
              "must return (N, D) features", "fails on samples of shape (2, 1, 2, 2, 2)");
      assertThat(out.resolve("student-mdt")).doesNotExist();
    }

    Run noDigest = distillTiny(dir.resolve("nodigest"), data, concat(common, module));
    assertThat(noDigest.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(noDigest.err()).contains("evaluation.features.digest");
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  private static TrainerResult result(Path out) throws Exception {
    return TrainerResult.parseOrNull(Files.readString(out.resolve("result.json")));
  }

  @Test
  void itsStudentIsServedAndAnswersWithRawSamples(@TempDir Path dir) throws Exception {
    // Latents of 2 channels, as a TRELLIS-like model has (not occupancy grids).
    Path data = shards(dir, 24, 2);
    Path out = dir.resolve("out");
    Run run =
        distillTiny(
            out, data, "model.channels=2", "hyperparameters.maxSteps=2", "evaluation.samples=4");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.OK);

    Path student = out.resolve("student-mdt");
    try (GenerationServer server = GenerationServer.start(student, ServeOptions.loopback())) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> info =
          http.send(
              HttpRequest.newBuilder(server.baseUri().resolve("/v1/model")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(info.body())
          .contains("\"kind\":\"torchscript\"")
          .contains("\"channels\":2")
          .contains(Artifact.open(student).digest());

      HttpResponse<byte[]> npz =
          generate(
              http, server, "{\"class\":\"class1\",\"seed\":3,\"count\":2,\"format\":\"npz\"}");
      assertThat(npz.statusCode()).as(new String(npz.body())).isEqualTo(200);
      try (NDManager m = NDManager.newBaseManager()) {
        NDList arrays = NDList.decode(m, npz.body());
        assertThat(arrays.get("x").getShape()).isEqualTo(new Shape(2, 2, 2, 2, 2));
        assertThat(arrays.get("y").toLongArray()).containsExactly(1L, 1L);
        assertThat(arrays.get("x").isInfinite().any().getBoolean()).isFalse();
      }
      // The same request gives the same samples: noise comes from the seed. (Not the same bytes:
      // the npz's zip entries carry the time they were written.)
      byte[] again =
          generate(http, server, "{\"class\":\"class1\",\"seed\":3,\"count\":2,\"format\":\"npz\"}")
              .body();
      try (NDManager m = NDManager.newBaseManager()) {
        assertThat(NDList.decode(m, again).get("x").toFloatArray())
            .containsExactly(NDList.decode(m, npz.body()).get("x").toFloatArray());
      }

      HttpResponse<byte[]> ply =
          generate(http, server, "{\"class\":\"class1\",\"format\":\"ply\"}");
      assertThat(ply.statusCode()).isEqualTo(400);
      assertThat(new String(ply.body())).contains("2 channels").contains("only format npz");
    }
  }

  /**
   * {@code mdt distill} of the tiny module on 2^3 samples in 3 classes from {@code data}, batch 4,
   * 4 held out, plus the {@code --set} assignments {@code sets}.
   */
  /** A TorchScript module computes in the type it was saved in: fp16 is refused, not ignored. */
  @Test
  void float16WithATorchScriptTeacherIsRefusedNamingTheModule(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    Run run =
        distillTiny(
            out, shards(dir, 8), "hyperparameters.maxSteps=2", "hyperparameters.precision=fp16");
    assertThat(run.code()).as(run.err()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(run.err())
        .contains("hyperparameters.precision fp16 needs a built-in network")
        .contains("tiny_teacher.pt");
    assertThat(out.resolve("student-mdt")).doesNotExist();
  }

  record Run(int code, String err) {}

  private static Run distillTiny(Path out, Path data, String... sets) {
    List<String> args =
        new ArrayList<>(List.of("distill", "--out", out.toString(), "--progress-port", "0"));
    List<String> all = new ArrayList<>();
    all.addAll(
        List.of(
            "teacher.format=torchscript",
            "teacher.uri=" + TINY.toAbsolutePath(),
            "dataset.uri=" + data,
            "dataset.heldOutSamples=4",
            "model.resolution=2",
            "model.patchSize=1",
            "model.numClasses=3",
            "hyperparameters.batchSize=4",
            "terminationMessagePath=" + out.resolve("termination-log")));
    all.addAll(List.of(sets));
    for (String set : all) {
      args.add("--set");
      args.add(set);
    }
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = Mdt.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    return new Run(cl.execute(args.toArray(String[]::new)), err.toString());
  }

  private static HttpResponse<byte[]> generate(
      HttpClient http, GenerationServer server, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.baseUri().resolve("/v1/generate"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** {@code dir/data} holding one shard of {@code count} 1-channel grids ({@link #writeShard}). */
  private static Path shards(Path dir, int count) throws Exception {
    return shards(dir, count, 1);
  }

  private static Path shards(Path dir, int count, int channels) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    writeShard(data.resolve("shard-0.npz"), count, channels);
    return data;
  }

  /**
   * {@code count} random 2^3 grids of {@code channels} channels (-1/+1) with labels 0..2, as x and
   * y of an npz.
   */
  private static void writeShard(Path file, int count, int channels) throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    int size = channels * 8;
    float[] x = new float[count * size];
    long[] y = new long[count];
    for (int i = 0; i < count; i++) {
      y[i] = i % 3;
      for (int k = 0; k < size; k++) {
        x[i * size + k] = r.nextDouble() < 0.3 + 0.2 * y[i] ? 1f : -1f;
      }
    }
    try (NDManager m = NDManager.newBaseManager();
        OutputStream os = Files.newOutputStream(file)) {
      NDArray xs = m.create(x, new Shape(count, channels, 2, 2, 2));
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(os, NDList.Encoding.NPZ);
    }
  }
}
