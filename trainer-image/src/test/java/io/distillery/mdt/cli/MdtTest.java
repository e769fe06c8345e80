package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.ExitCodes;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.sampling.SampleShapes;
import io.distillery.mdt.train.TeacherTraining;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MdtTest {
  private final MdtCli cli = new MdtCli();
  private final StringWriter out = cli.out;
  private final StringWriter err = cli.err;

  private int mdt(String... args) {
    return cli.run(args);
  }

  /** A teacher that trains in about a second: 8 tokens of width 16, one block. */
  static List<String> tinyTeacher(Path outDir) {
    return new ArrayList<>(
        List.of(
            "train-teacher",
            "--out",
            outDir.toString(),
            "--steps",
            "3",
            "--seed",
            "5",
            "--device",
            "cpu",
            "--progress-port",
            "0",
            "--set",
            "model.patchSize=8",
            "--set",
            "model.width=16",
            "--set",
            "model.depth=1",
            "--set",
            "model.heads=2",
            "--set",
            "hyperparameters.batchSize=4",
            "--set",
            "dataset.trainSamples=16",
            "--set",
            "teacher.sampler.steps=2"));
  }

  @Test
  void helpListsTheCommandsAndEveryOptionWithItsDefault() {
    assertThat(mdt("--help")).isZero();
    assertThat(out.toString()).contains("train-teacher").contains("Exit codes");
    out.getBuffer().setLength(0);
    assertThat(mdt("train-teacher", "--help")).isZero();
    assertThat(out.toString())
        .contains("--config=FILE", "--set=KEY=VALUE", "--out=DIR", "--steps=N", "--seed=N")
        .contains("--device=auto|cpu|gpu", "--progress-port=PORT")
        .contains("built-in default: auto");
    // The defaults the help states for the config shortcuts are the config's real defaults.
    io.distillery.config.TrainerConfig d = new io.distillery.config.TrainerConfig();
    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("hyperparameters.maxSteps; built-in default: " + d.hyperparameters.maxSteps + ")")
        .contains("hyperparameters.seed; built-in default: " + d.hyperparameters.seed + ")")
        .contains("output.dir; built-in default: " + d.output.dir + ")")
        .contains("config device; built-in default: " + d.device + ")")
        .contains("progressPort; built-in default: " + d.progressPort + ")");
  }

  @Test
  void everyCommandsHelpFormats() {
    // A bare '%' in a description makes picocli print its raw text and a warning on stderr
    // (bench's "95% interval" once did).
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      for (String command : Mdt.commandLine().getSubcommands().keySet()) {
        assertThat(mdt(command, "--help")).as(command).isZero();
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(captured.toString()).doesNotContain("Could not format");
    assertThat(out.toString()).contains("mean and 95% interval");
  }

  @Test
  void anUnknownConfigKeyIsAConfigErrorNamingIt(@TempDir Path dir) {
    assertThat(mdt("train-teacher", "--out", dir.toString(), "--set", "hyperparameters.nope=1"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("nope");
  }

  @Test
  void overridesReachUnsetSectionsButNotUnknownOnesAndTakeEmptyValues(@TempDir Path dir) {
    // evaluation.features is unset by default; an override fills it in.
    assertThat(
            mdt(
                "train-teacher",
                "--out",
                dir.toString(),
                "--set",
                "evaluation.features.uri=builtin:nope"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("evaluation.features.uri: unknown built-in builtin:nope");
    assertThat(mdt("train-teacher", "--out", dir.toString(), "--set", "evaluation.nope.uri=x"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("unknown key 'evaluation.nope'");
    // An empty value is an empty string (here: no termination message), not a parse error.
    assertThat(
            mdt(
                "train-teacher",
                "--out",
                dir.toString(),
                "--set",
                "terminationMessagePath=",
                "--steps",
                "0"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("hyperparameters.maxSteps").doesNotContain("deserialize");
  }

  @Test
  void malformedS3UrisAreConfigErrorsNamingTheField(@TempDir Path dir) {
    assertThat(
            mdt(
                "train-teacher",
                "--out",
                dir.toString(),
                "--set",
                "output.uri=http://bucket/prefix"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("output.uri: must be s3://<bucket>/<prefix>");
    // Refused before any object storage is contacted.
    assertThat(
            mdt(
                "train-teacher",
                "--out",
                dir.toString(),
                "--set",
                "dataset.uri=s3://No_Such_Bucket/shards"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString())
        .contains("dataset.uri: 's3://No_Such_Bucket/shards' has an invalid bucket name");
  }

  @Test
  void aMissingConfigFileAndABadValueAreConfigErrors(@TempDir Path dir) {
    assertThat(mdt("train-teacher", "--config", dir.resolve("none.yaml").toString()))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("none.yaml");
    assertThat(mdt("train-teacher", "--steps", "0", "--out", dir.toString()))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("hyperparameters.maxSteps");
  }

  @Test
  void aMissingDatasetIsAnInputErrorNamingThePath(@TempDir Path dir) {
    List<String> args = tinyTeacher(dir.resolve("out"));
    args.addAll(List.of("--set", "dataset.uri=" + dir.resolve("no-such-shards")));
    assertThat(mdt(args.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("no-such-shards");
    assertThat(dir.resolve("out").resolve(TeacherTraining.ARTIFACT_DIR)).doesNotExist();
  }

  @Test
  void trainTeacherWritesAVerifiedArtifactAndSaysWhere(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).as(err.toString()).isZero();
    Artifact a = Artifact.open(outDir.resolve(TeacherTraining.ARTIFACT_DIR));
    assertThat(out.toString()).contains("teacher written to").contains(a.digest());
    JsonNode provenance = new ObjectMapper().readTree(a.file(ModelArtifacts.PROVENANCE).toFile());
    assertThat(provenance.path("command").asText()).startsWith("mdt train-teacher --out");
    assertThat(provenance.path("date").asText()).isNotEmpty();
    assertThat(a.modelJson().path("training").has("date")).isFalse();
    assertThat(a.records()).contains(ModelArtifacts.PROVENANCE, TeacherTraining.LOSS_PLOT);
    assertThat(Files.list(outDir.resolve(TeacherTraining.CHECKPOINT_DIR))).isNotEmpty();
  }

  @Test
  void theSameTrainingGivesTheSameDigestAndOtherWeightsAnother(@TempDir Path dir) throws Exception {
    // Different output folders make different command lines, and the runs have different dates.
    String[] digests = new String[3];
    for (int i = 0; i < 3; i++) {
      List<String> args = tinyTeacher(dir.resolve("out" + i));
      if (i == 2) {
        args.set(args.indexOf("--seed") + 1, "6");
      }
      assertThat(mdt(args.toArray(String[]::new))).as(err.toString()).isZero();
      digests[i] =
          Artifact.open(dir.resolve("out" + i).resolve(TeacherTraining.ARTIFACT_DIR)).digest();
    }
    assertThat(digests[1]).isEqualTo(digests[0]);
    assertThat(digests[2]).isNotEqualTo(digests[0]);
  }

  @Test
  void theSameDistillationGivesTheSameStudentDigest(@TempDir Path dir) throws Exception {
    Path teacherOut = dir.resolve("teacher");
    assertThat(mdt(tinyTeacher(teacherOut).toArray(String[]::new))).as(err.toString()).isZero();
    String[] digests = new String[2];
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve("distill" + i);
      assertThat(
              mdt(
                  "distill",
                  "--out",
                  out.toString(),
                  "--device",
                  "cpu",
                  "--progress-port",
                  "0",
                  "--set",
                  "teacher.uri=" + teacherOut.resolve(TeacherTraining.ARTIFACT_DIR),
                  "--set",
                  "hyperparameters.maxSteps=3",
                  "--set",
                  "hyperparameters.batchSize=4",
                  "--set",
                  "dataset.trainSamples=16",
                  "--set",
                  "dataset.heldOutSamples=32",
                  "--set",
                  "evaluation.samples=16",
                  "--set",
                  "terminationMessagePath=" + out.resolve("termination-log")))
          .as(err.toString())
          .isZero();
      Artifact student = Artifact.open(out.resolve("student-mdt"));
      // The evaluation (latencies, dates) and the loss curve are records, outside the digest.
      assertThat(student.records())
          .contains(ModelArtifacts.PROVENANCE, "loss.png", "evaluation/report.json");
      assertThat(Files.readString(out.resolve("result.json"))).contains(student.digest());
      digests[i] = student.digest();
    }
    assertThat(digests[1]).isEqualTo(digests[0]);
  }

  @Test
  void aFileDroppedIntoAnArtifactIsAnInputErrorNamingIt(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).as(err.toString()).isZero();
    Path model = outDir.resolve(TeacherTraining.ARTIFACT_DIR);
    Files.writeString(model.resolve("report.json"), "{\"rows\":[]}");
    assertThat(
            mdt(
                "sample",
                "--model",
                model.toString(),
                "--device",
                "cpu",
                "--out",
                dir.resolve("samples").toString()))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("report.json is not listed in manifest.json");
  }

  @Test
  void sampleWritesMeshesAndASheetAndRefusesBadInputByName(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).as(err.toString()).isZero();
    String model = outDir.resolve(TeacherTraining.ARTIFACT_DIR).toString();
    Path samples = dir.resolve("samples");
    assertThat(
            mdt(
                "sample",
                "--model",
                model,
                "--classes",
                "sphere,3",
                "--per-class",
                "2",
                "--steps",
                "2",
                "--cfg",
                "1.5",
                "--seed",
                "10",
                "--device",
                "cpu",
                "--out",
                samples.toString()))
        .as(err.toString())
        .isZero();
    Artifact a = Artifact.open(samples);
    assertThat(a.files())
        .contains(
            "000-sphere-s10.ply",
            "000-sphere-s10.obj",
            "003-" + io.distillery.mdt.data.BuiltinShapes.CLASS_NAMES.get(3) + "-s13.obj")
        .contains(SampleShapes.SHEET);
    assertThat(Files.readString(samples.resolve("000-sphere-s10.ply"))).startsWith("ply");
    List<Path> glbs =
        a.files().stream().filter(f -> f.endsWith(".glb")).map(samples::resolve).toList();
    assertThat(glbs).hasSize(4);
    for (var report : io.distillery.mdt.render.GltfValidator.validate(glbs)) {
      assertThat(report.get("errors").asInt() + report.get("warnings").asInt())
          .as("%s", report)
          .isZero();
    }
    assertThat(out.toString()).contains("4 shapes (2 steps, cfg 1.5, 4 network evaluations each)");

    assertThat(
            mdt(
                "sample",
                "--model",
                model,
                "--classes",
                "teapot",
                "--out",
                dir.resolve("x").toString()))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("unknown class 'teapot'").contains("sphere");
    assertThat(
            mdt("sample", "--model", model, "--steps", "0", "--out", dir.resolve("y").toString()))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("steps must be at least 1");
    assertThat(
            mdt(
                "sample",
                "--model",
                dir.resolve("none").toString(),
                "--out",
                dir.resolve("z").toString()))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString()).contains("none");
    assertThat(dir.resolve("x")).doesNotExist();
    assertThat(dir.resolve("y")).doesNotExist();
  }

  @Test
  void aShapeDependsOnlyOnItsSeed(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).isZero();
    Path model = outDir.resolve(TeacherTraining.ARTIFACT_DIR);
    var device = ai.djl.Device.cpu();
    SampleShapes.Result two =
        SampleShapes.run(
            new SampleShapes.Request(
                model, List.of("0", "1"), 1, 4, 2, 0.0, null, dir.resolve("a"), device));
    SampleShapes.Result second =
        SampleShapes.run(
            new SampleShapes.Request(
                model, List.of("1"), 1, 5, 2, 0.0, null, dir.resolve("b"), device));
    assertThat(second.grids().slice(0, 1).data()).containsExactly(two.grids().slice(1, 2).data());
  }

  @Test
  void evaluateWritesAReportRowWithEveryMetric(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).isZero();
    Path report = dir.resolve("eval");
    assertThat(
            mdt(
                "evaluate",
                "--model",
                outDir.resolve(TeacherTraining.ARTIFACT_DIR).toString(),
                "--samples",
                "8",
                "--steps",
                "1",
                "--set",
                "dataset.heldOutSamples=8",
                "--device",
                "cpu",
                "--out",
                report.toString()))
        .as(err.toString())
        .isZero();
    var json =
        io.distillery.config.TrainerConfigs.json().readTree(report.resolve("report.json").toFile());
    assertThat(json.path("samples").asInt()).isEqualTo(8);
    assertThat(json.path("reference").path("fdRefVsRef").isNumber()).isTrue();
    var row = json.path("rows").get(0);
    assertThat(row.path("method").asText()).isEqualTo("teacher");
    assertThat(row.path("nfe").asInt()).isEqualTo(2);
    for (String k :
        List.of(
            "fd",
            "classAccuracy",
            "precision",
            "recall",
            "density",
            "coverage",
            "mmd",
            "cov",
            "nna",
            "latencyMsBatch1",
            "throughputPerSec")) {
      assertThat(row.path(k).isNumber()).as(k).isTrue();
    }
    var fd = row.path("ci").path("fd");
    assertThat(fd.path("lo").asDouble()).isLessThanOrEqualTo(fd.path("hi").asDouble());
    assertThat(row.path("ci").path("classAccuracy").path("mean").asDouble())
        .isEqualTo(row.path("classAccuracy").asDouble());
    assertThat(report.resolve("report.md")).content().contains("| teacher | 1 |");
    assertThat(out.toString()).contains("report in");
  }

  @Test
  void zeroSeedsAreAnOptionErrorNamingTheOption(@TempDir Path dir) {
    for (String command : List.of("bench", "demo")) {
      for (String option : List.of("--seeds", "--eval-seeds")) {
        err.getBuffer().setLength(0);
        assertThat(
                mdt(
                    command,
                    option,
                    "0",
                    "--device",
                    "cpu",
                    command.equals("bench") ? "--bench-out" : "--demo-out",
                    dir.resolve(command).toString()))
            .as(command + " " + option)
            .isEqualTo(ExitCodes.INVALID_CONFIG);
        assertThat(err.toString()).contains(option + ": must be at least 1");
      }
    }
    assertThat(dir.resolve("bench")).doesNotExist();
    assertThat(dir.resolve("demo")).doesNotExist();
  }

  @Test
  void fewerEvaluationSamplesThanClassesAreAConfigErrorNamingTheOption(@TempDir Path dir)
      throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(tinyTeacher(outDir).toArray(String[]::new))).isZero();
    String teacher = outDir.resolve(TeacherTraining.ARTIFACT_DIR).toString();
    assertThat(
            mdt(
                "evaluate",
                "--model",
                teacher,
                "--samples",
                "7",
                "--device",
                "cpu",
                "--out",
                dir.resolve("eval").toString()))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("--samples").contains("fewer than the 8 classes");
    for (String command : List.of("distill", "bench", "demo")) {
      err.getBuffer().setLength(0);
      List<String> args =
          new ArrayList<>(
              List.of(
                  command,
                  "--set",
                  "teacher.uri=" + teacher,
                  "--set",
                  "evaluation.samples=4",
                  "--device",
                  "cpu",
                  "--progress-port",
                  "0"));
      args.addAll(
          command.equals("distill")
              ? List.of("--out", dir.resolve("d").toString())
              : List.of(
                  command.equals("bench") ? "--bench-out" : "--demo-out",
                  dir.resolve(command).toString()));
      assertThat(mdt(args.toArray(String[]::new))).as(command).isEqualTo(ExitCodes.INVALID_CONFIG);
      assertThat(err.toString()).as(command).contains("evaluation.samples").contains("8 classes");
    }
    assertThat(dir.resolve("d").resolve("student-mdt")).doesNotExist();
  }

  @Test
  void aDivergingRunExitsWithDivergedAndWritesNoArtifact(@TempDir Path dir) {
    Path outDir = dir.resolve("out");
    List<String> args = tinyTeacher(outDir);
    // AdamW moves every weight by about the learning rate: at 1e30 the next forward overflows.
    args.addAll(List.of("--set", "hyperparameters.learningRate=1e30"));
    assertThat(mdt(args.toArray(String[]::new))).isEqualTo(ExitCodes.DIVERGED);
    assertThat(err.toString()).contains("training diverged at step").contains("no artifact");
    assertThat(outDir.resolve(TeacherTraining.ARTIFACT_DIR)).doesNotExist();
  }

  @Test
  void precisionsOtherThanFp32AndFp16ExitTwoSayingWhy(@TempDir Path dir) {
    List<String> args = tinyTeacher(dir.resolve("bf16"));
    args.addAll(List.of("--precision", "bf16"));
    assertThat(mdt(args.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString())
        .contains("hyperparameters.precision: must be fp32 or fp16, got 'bf16'")
        .contains("no bfloat16 type");
  }

  /** The shortcut reaches the run: an fp16 teacher logs its loss scale and writes fp32 weights. */
  @Test
  void aFloat16TeacherRunLogsItsLossScaleAndWritesFloat32Weights(@TempDir Path dir)
      throws Exception {
    Path outDir = dir.resolve("fp16");
    List<String> args = tinyTeacher(outDir);
    args.addAll(List.of("--precision", "fp16"));
    assertThat(mdt(args.toArray(String[]::new))).as(err.toString()).isEqualTo(ExitCodes.OK);
    Path state =
        java.nio.file.Files.list(outDir.resolve(TeacherTraining.CHECKPOINT_DIR))
            .filter(p -> p.getFileName().toString().startsWith("step-"))
            .findFirst()
            .orElseThrow()
            .resolve("state.json");
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(state.toFile());
    assertThat(json.path("lossScale").path("scale").asDouble()).isPositive();
    assertThat(json.path("settings").path("hyperparameters.precision").asText()).isEqualTo("fp16");
    try (io.distillery.mdt.model.Weights w =
        io.distillery.mdt.model.Weights.load(
            outDir
                .resolve(TeacherTraining.ARTIFACT_DIR)
                .resolve(io.distillery.mdt.model.ModelArtifacts.WEIGHTS),
            ai.djl.Device.cpu())) {
      assertThat(w.dataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
    }
  }

  @Test
  void dataParallelRequestsThatCannotBeMetExitTwoNamingTheDevicesFound(@TempDir Path dir) {
    // A global batch of 4 cannot feed 8 replicas.
    List<String> args = tinyTeacher(dir.resolve("small-batch"));
    args.addAll(List.of("--replicas", "8"));
    assertThat(mdt(args.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("hyperparameters.batchSize: 4 is smaller than replicas: 8");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        ai.djl.engine.Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
    err.getBuffer().setLength(0);
    List<String> gpus = tinyTeacher(dir.resolve("gpus"));
    gpus.set(gpus.indexOf("--device") + 1, "gpu");
    gpus.addAll(List.of("--replicas", "2"));
    assertThat(mdt(gpus.toArray(String[]::new))).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("finds 0 CUDA devices");
    assertThat(dir.resolve("gpus")).doesNotExist();
  }

  @Test
  void twoCpuReplicasTrainATeacherAndSaySo(@TempDir Path dir) {
    List<String> args = tinyTeacher(dir.resolve("out"));
    args.addAll(List.of("--replicas", "2"));
    assertThat(mdt(args.toArray(String[]::new))).as(err.toString()).isZero();
    assertThat(out.toString()).contains("on [cpu(), cpu()]");
    out.getBuffer().setLength(0);
    assertThat(mdt("info", "--device", "cpu")).isZero();
    assertThat(out.toString()).contains("training devices 1 [cpu()]");
  }

  @Test
  void askingForAGpuWhereThereIsNoneIsAConfigError() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        ai.djl.engine.Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
    assertThat(mdt("info", "--device", "gpu")).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("device: gpu was requested");
    assertThat(mdt("info", "--device", "cpu")).isZero();
    assertThat(out.toString()).contains("engine PyTorch 2.7.1").contains("device cpu()");
  }

  @Test
  void trainTeacherServesProgressWhileItTrains(@TempDir Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> args = tinyTeacher(dir.resolve("out"));
    args.set(args.indexOf("--progress-port") + 1, Integer.toString(port));
    args.set(args.indexOf("--steps") + 1, "150");
    var run =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> mdt(args.toArray(String[]::new)));
    var http = java.net.http.HttpClient.newHttpClient();
    long seen = 0;
    String metrics = "";
    long deadline = System.currentTimeMillis() + 60_000;
    while (seen == 0 && System.currentTimeMillis() < deadline && !run.isDone()) {
      try {
        String body =
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/progress"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        var p = io.distillery.config.TrainerConfigs.json().readTree(body);
        seen = p.path("step").asLong();
        if (seen > 0) {
          assertThat(p.path("maxSteps").asLong()).isEqualTo(150);
          assertThat(p.path("losses").has("fm")).isTrue();
          metrics =
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .body();
        }
      } catch (java.net.ConnectException notYet) {
        // the server starts after the data is generated
      }
      Thread.sleep(50);
    }
    assertThat(seen).isPositive();
    assertThat(metrics).contains("mdt_training_loss{loss=\"fm\"}");
    assertThat(run.get(120, java.util.concurrent.TimeUnit.SECONDS)).as(err.toString()).isZero();
  }
}
