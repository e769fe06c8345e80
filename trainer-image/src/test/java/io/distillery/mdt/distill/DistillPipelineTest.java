package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerResult;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.cli.Mdt;
import io.distillery.mdt.serve.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt distill} end to end on a tiny real teacher: the student artifact with its evaluation,
 * result.json beside it and in the termination message, and the gate's exit codes.
 */
class DistillPipelineTest {
  @TempDir static Path dir;
  static Path teacher;

  @BeforeAll
  static void teacher() throws Exception {
    teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
  }

  private static int distill(Path out, String... extra) {
    String[] base = {
      "distill",
      "--out",
      out.toString(),
      "--progress-port",
      "0",
      "--set",
      "teacher.uri=" + teacher,
      "--set",
      "teacher.sampler.steps=3",
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
      "terminationMessagePath=" + out.resolve("termination-log")
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Mdt.run(args);
  }

  @Test
  void writesAVerifiedStudentAndTheResultInBothPlaces() throws Exception {
    Path out = dir.resolve("ok");
    Files.createDirectories(out);
    assertThat(distill(out)).isEqualTo(ExitCodes.OK);

    Artifact student = Artifact.open(out.resolve("student-mdt"));
    assertThat(student.files())
        .contains("evaluation/report.json", "loss.png", "weights.safetensors");
    TrainerResult r = TrainerResult.parseOrNull(Files.readString(out.resolve("result.json")));
    assertThat(r).isNotNull();
    assertThat(r.status).isEqualTo("succeeded");
    assertThat(r.digest).isEqualTo(student.digest());
    assertThat(r.metrics).containsKeys("teacher", "1", "2");
    assertThat(r.metrics.get("1").nfe).isEqualTo(1);
    assertThat(r.metrics.get("teacher").nfe).isEqualTo(6);
    assertThat(r.speedup).containsKeys("1", "2");
    assertThat(r.gate.passed).isTrue();
    var report =
        io.distillery.mdt.bench.ComparisonReport.readJson(student.file("evaluation/report.json"));
    assertThat(report.reference.fdRefVsRef).isNotNull().isPositive();
    assertThat(report.reference.occupancy).isNotNull().isBetween(0.01, 0.5);
    assertThat(report.rows).hasSize(3);
    // The footnote names the seed the student was distilled with (it once said "0 ... []").
    assertThat(report.seedsLine()).contains("1 training seed(s) [42] x 1 evaluation seed(s)");
    assertThat(Files.readString(out.resolve("termination-log")))
        .isEqualTo(Files.readString(out.resolve("result.json")));
  }

  @Test
  void theEmaTargetRecipeTrainsAndIsRecordedInTheModelCard() throws Exception {
    Path out = dir.resolve("ema-target");
    Files.createDirectories(out);
    assertThat(
            distill(
                out,
                "--set",
                "hyperparameters.emaTarget=true",
                "--set",
                "hyperparameters.intervalWeighting=true",
                "--set",
                "hyperparameters.dNorm=false"))
        .isEqualTo(ExitCodes.OK);
    var training =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(out.resolve("student-mdt/model.json").toFile())
            .get("training");
    assertThat(training.get("emaTarget").asBoolean()).isTrue();
    assertThat(training.get("intervalWeighting").asBoolean()).isTrue();
    assertThat(training.get("dNorm").asBoolean()).isFalse();
    assertThat(training.get("finalLosses").get("vm").asDouble()).isFinite();
  }

  @Test
  void aFailedGateKeepsTheStudentButExitsWithTheGateCode() throws Exception {
    Path out = dir.resolve("gate");
    Files.createDirectories(out);
    assertThat(distill(out, "--set", "evaluation.maxFdRatio=0.000001"))
        .isEqualTo(ExitCodes.GATE_FAILED);
    TrainerResult r = TrainerResult.parseOrNull(Files.readString(out.resolve("result.json")));
    assertThat(r.gate.passed).isFalse();
    assertThat(r.gate.reason).contains("FD ratio").contains("maxFdRatio");
    assertThat(r.exitCode).isEqualTo(ExitCodes.GATE_FAILED);
    assertThat(r.status).isEqualTo("failed");
  }

  @Test
  void aGateThatCannotBeMetIsRefusedBeforeTraining() throws Exception {
    Path out = dir.resolve("impossible");
    assertThat(distill(out, "--set", "evaluation.minSpeedup=1000"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(out.resolve("student-mdt")).doesNotExist();
    assertThat(out.resolve("result.json")).doesNotExist();
  }

  @Test
  void aTeacherUriWithAnUnknownSchemeIsAConfigError() {
    assertThat(distill(dir.resolve("scheme"), "--set", "teacher.uri=gs://bucket/teacher"))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
  }
}
