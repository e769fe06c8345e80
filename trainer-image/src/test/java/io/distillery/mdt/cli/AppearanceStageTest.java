package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.SparseFlowTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second stage through the command line, as a user runs it: {@code mdt train-teacher} with
 * {@code stage: appearance} writes a sparse appearance teacher, {@code mdt distill} distills it and
 * judges the student on held-out built-in structures, and the wrong stage or gate is refused naming
 * the problem. Tiny configs: the point is the plumbing, not the quality.
 */
class AppearanceStageTest {
  @TempDir static Path dir;
  static Path teacher;

  static final String[] TINY = {
    "--set", "stage=appearance",
    "--set", "model.channels=3",
    "--set", "model.patchSize=4",
    "--set", "model.width=16",
    "--set", "model.depth=1",
    "--set", "model.heads=2",
    "--set", "model.mlpRatio=2",
    "--set", "dataset.trainSamples=32",
    "--set", "hyperparameters.batchSize=4",
    "--set", "evaluation.samples=8",
    "--set", "teacher.sampler.steps=3",
    "--set", "progressPort=0"
  };

  @BeforeAll
  static void trainTeacher() {
    MdtCli cli = new MdtCli();
    int code = cli.run(args("train-teacher", "--out", dir.resolve("t").toString(), "--steps", "3"));
    assertThat(code).as(cli.err.toString()).isZero();
    teacher = dir.resolve("t/teacher");
  }

  static String[] args(String command, String... more) {
    String[] out = new String[1 + TINY.length + more.length];
    out[0] = command;
    System.arraycopy(TINY, 0, out, 1, TINY.length);
    System.arraycopy(more, 0, out, 1 + TINY.length, more.length);
    return out;
  }

  @Test
  void theTeacherIsASparseAppearanceFlow() throws Exception {
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(teacher, Device.cpu())) {
      assertThat(loaded.card().kind()).isEqualTo("sparse-flow-transformer");
      assertThat(loaded.card().stage()).isEqualTo(TrainerConfig.Stage.APPEARANCE);
      assertThat(loaded.model()).isInstanceOf(SparseFlowTransformer.class);
      assertThat(loaded.card().model().channels).isEqualTo(3);
    }
  }

  @Test
  void distillJudgesTheStudentOnHeldOutStructuresAndGatesOnPairedError() throws Exception {
    MdtCli cli = new MdtCli();
    Path out = dir.resolve("d");
    int code =
        cli.run(
            args(
                "distill",
                "--set",
                "teacher.uri=" + teacher,
                "--set",
                "evaluation.maxPairedError=1000",
                "--out",
                out.toString(),
                "--steps",
                "2"));
    assertThat(code).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString()).contains("appearance error").contains("mdt 1 step");
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertThat(result.at("/metrics/1/appearanceError").asDouble()).isPositive();
    assertThat(result.at("/metrics/teacher/appearanceError").asDouble()).isPositive();
    assertThat(result.at("/metrics/1/pairedError").isNumber()).isTrue();
    assertThat(result.at("/gate/passed").asBoolean()).isTrue();
    Path student = out.resolve("student-mdt");
    assertThat(student.resolve("evaluation/report.md")).isRegularFile();
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(student, Device.cpu())) {
      assertThat(loaded.card().kind()).isEqualTo("sparse-flow-transformer");
      assertThat(loaded.card().role()).isEqualTo("student");
    }

    // A gate no student meets fails the job with exit 5 and says why.
    MdtCli strict = new MdtCli();
    int failed =
        strict.run(
            args(
                "distill",
                "--set",
                "teacher.uri=" + teacher,
                "--set",
                "evaluation.maxPairedError=0.000001",
                "--out",
                out.toString(),
                "--steps",
                "2"));
    assertThat(failed).isEqualTo(5);
    assertThat(Files.readString(out.resolve("result.json")))
        .contains("paired error")
        .contains("maxPairedError");
  }

  @Test
  void benchComparesCmAndMdtOnTheAppearanceStageAndJudgesTheChainClaims() throws Exception {
    MdtCli cli = new MdtCli();
    Path benchmarks = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        benchmarks,
        "# Benchmarks\n\n<!-- BEGIN distillation -->\nkept\n<!-- END distillation -->\n");
    int code =
        cli.run(
            args(
                "bench",
                "--set",
                "teacher.uri=" + teacher,
                "--set",
                "evaluation.samples=8",
                "--steps",
                "2",
                "--seeds",
                "1",
                "--eval-seeds",
                "1",
                "--bench-out",
                dir.resolve("bench").toString(),
                "--benchmarks",
                benchmarks.toString()));
    assertThat(code).as(cli.err.toString()).isZero();
    String text = Files.readString(benchmarks);
    assertThat(text)
        .contains("kept")
        .contains("<!-- BEGIN appearance -->")
        .contains("| cm 1 step |")
        .contains("| mdt 2 steps |")
        .contains("| teacher 3 steps |")
        .contains("MDT 1 step appearance error below CM 1 step")
        .contains("chain 1 x 2 steps at least 30x faster")
        .containsPattern("\\[(met|not met|not separated)\\]");
  }

  @Test
  void builtinShippedOnTheAppearanceStageIsTheBundledUnguidedAppearanceTeacher() throws Exception {
    // Only `stage` is set: the teacher, its channels and its unguided sampler are the stage's.
    MdtCli cli = new MdtCli();
    Path out = dir.resolve("shipped");
    int code =
        cli.run(
            new String[] {
              "distill",
              "--set",
              "stage=appearance",
              "--set",
              "evaluation.samples=16",
              "--set",
              "studentSteps=[1]",
              "--set",
              "progressPort=0",
              "--steps",
              "1",
              "--out",
              out.toString()
            });
    assertThat(code).as(cli.err.toString()).isZero();
    JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
    assertThat(result.at("/metrics/teacher/nfe").asInt()).as("25 unguided steps").isEqualTo(25);
    // Painting the average of the two palettes scores about 0.10; this teacher about 0.04.
    assertThat(result.at("/metrics/teacher/appearanceError").asDouble()).isBetween(0.001, 0.08);
    try (ModelArtifacts.Loaded student =
        ModelArtifacts.load(out.resolve("student-mdt"), Device.cpu())) {
      assertThat(student.card().stage()).isEqualTo(TrainerConfig.Stage.APPEARANCE);
      assertThat(student.card().model().channels).isEqualTo(3);
    }
  }

  @Test
  void theStageDefaultsFillOnlyWhatNoConfigOrOverrideStates() {
    TrainerConfig appearance = TrainerConfigs.load(null, Map.of(), Map.of("stage", "appearance"));
    assertThat(appearance.model.channels).isEqualTo(3);
    assertThat(appearance.teacher.sampler.cfgStrength).isZero();
    assertThat(appearance.hyperparameters.cfgTeacherVM).isZero();
    assertThat(appearance.hyperparameters.cfgTeacherVD).isZero();
    TrainerConfig stated =
        TrainerConfigs.load(
            null, Map.of(), Map.of("stage", "appearance", "teacher.sampler.cfgStrength", "1.5"));
    assertThat(stated.teacher.sampler.cfgStrength).isEqualTo(1.5);
    assertThat(stated.teacher.sampler.steps).isEqualTo(25);
    TrainerConfig file =
        TrainerConfigs.parse("stage: appearance\nhyperparameters: {cfgTeacherVM: 2}\n", "f");
    assertThat(file.hyperparameters.cfgTeacherVM).isEqualTo(2);
    assertThat(file.hyperparameters.cfgTeacherVD).isZero();
    assertThat(file.hyperparameters.maxSteps).isEqualTo(600);
    TrainerConfig structure = TrainerConfigs.parse("method: cm\n", "f");
    assertThat(structure.teacher.sampler.cfgStrength).isEqualTo(3.0);
    assertThat(structure.model.channels).isEqualTo(1);
  }

  @Test
  void aTeacherOfTheOtherStageIsAConfigErrorNamingBothStages() {
    MdtCli cli = new MdtCli();
    String[] a =
        args("distill", "--set", "teacher.uri=" + teacher, "--out", dir.resolve("x").toString());
    a[2] = "stage=structure";
    assertThat(cli.run(a)).isEqualTo(2);
    assertThat(cli.err.toString()).contains("stage: structure").contains("appearance stage");
  }

  @Test
  void anFdGateOnTheAppearanceStageIsRefusedBeforeTraining() {
    MdtCli cli = new MdtCli();
    int code =
        cli.run(
            args(
                "distill",
                "--set",
                "teacher.uri=" + teacher,
                "--set",
                "evaluation.maxFdRatio=2",
                "--out",
                dir.resolve("y").toString()));
    assertThat(code).isEqualTo(2);
    assertThat(cli.err.toString()).contains("evaluation.maxFdRatio").contains("maxPairedError");
    assertThat(dir.resolve("y/checkpoints")).doesNotExist();
  }

  @Test
  void anAppearanceTeacherOnAStructureDatasetIsAConfigErrorBeforeTraining() {
    MdtCli cli = new MdtCli();
    Path out = dir.resolve("own-data");
    int code =
        cli.run(
            args(
                "train-teacher",
                "--set",
                "dataset.uri=" + dir.resolve("shards"),
                "--out",
                out.toString()));
    assertThat(code).as(cli.err.toString()).isEqualTo(2);
    assertThat(cli.err.toString()).contains("only builtin:shapes carries").doesNotContain("\tat ");
    assertThat(out.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void aConvolutionalStemOnTheAppearanceStageIsAConfigError() {
    MdtCli cli = new MdtCli();
    int code =
        cli.run(
            args(
                "train-teacher",
                "--set",
                "model.convChannels=4",
                "--out",
                dir.resolve("z").toString()));
    assertThat(code).isEqualTo(2);
    assertThat(cli.err.toString()).contains("model.convChannels").contains("appearance");
  }
}
