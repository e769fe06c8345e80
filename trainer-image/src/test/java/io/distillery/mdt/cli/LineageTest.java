package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.data.DatasetIdentity;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Teachers;
import io.distillery.mdt.train.CodeVersion;
import io.distillery.mdt.train.TeacherTraining;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real (tiny) train-teacher and two real distills: the student's model.json names the teacher's
 * digest and the dataset's identity, the same in both runs, and the artifact digest stays equal;
 * {@code mdt info --model} prints it.
 */
class LineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MdtCli cli = new MdtCli();

  @Test
  void aStudentRecordsItsTeacherDatasetCodeAndSeedsAndInfoPrintsThem(@TempDir Path dir)
      throws Exception {
    Path teacherOut = dir.resolve("teacher");
    assertThat(cli.run(MdtTest.tinyTeacher(teacherOut).toArray(String[]::new)))
        .as(cli.err.toString())
        .isZero();
    Artifact teacher = Artifact.open(teacherOut.resolve(TeacherTraining.ARTIFACT_DIR));
    TrainerConfig defaults = new TrainerConfig();
    defaults.dataset.trainSamples = 16;
    DatasetIdentity teacherData = DatasetIdentity.of(defaults);
    JsonNode teacherLineage = lineage(teacher);
    assertThat(teacherLineage.has("teacher")).isFalse();
    assertThat(teacherLineage.path("dataset").path("digest").asText())
        .isEqualTo(teacherData.digest());

    String[] digests = new String[2];
    JsonNode[] lineages = new JsonNode[2];
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve("distill" + i);
      assertThat(
              cli.run(
                  "distill",
                  "--out",
                  out.toString(),
                  "--device",
                  "cpu",
                  "--progress-port",
                  "0",
                  "--set",
                  "teacher.uri=" + teacher.dir(),
                  "--set",
                  "hyperparameters.maxSteps=2",
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
          .as(cli.err.toString())
          .isZero();
      Artifact student = Artifact.open(out.resolve("student-mdt"));
      digests[i] = student.digest();
      lineages[i] = lineage(student);
      JsonNode result = JSON.readTree(out.resolve("result.json").toFile());
      assertThat(result.path("teacherDigest").asText()).isEqualTo(teacher.digest());
      assertThat(result.path("datasetDigest").asText())
          .isEqualTo(lineages[i].path("dataset").path("digest").asText());
      assertThat(result.path("datasetUri").asText()).isEqualTo("builtin:shapes");
      // The full config (with this run's output directory) is provenance, outside the digest.
      JsonNode provenance = JSON.readTree(student.file(ModelArtifacts.PROVENANCE).toFile());
      assertThat(provenance.path("config").path("output").path("dir").asText())
          .isEqualTo(out.toString());
      assertThat(provenance.path("config").path("hyperparameters").path("maxSteps").asInt())
          .isEqualTo(2);
    }
    JsonNode l = lineages[0];
    assertThat(l.path("teacher").path("uri").asText()).isEqualTo(teacher.dir().toString());
    assertThat(l.path("teacher").path("digest").asText()).isEqualTo(teacher.digest());
    TrainerConfig distillCfg = new TrainerConfig();
    distillCfg.dataset.trainSamples = 16;
    distillCfg.dataset.heldOutSamples = 32;
    assertThat(l.path("dataset").path("uri").asText()).isEqualTo("builtin:shapes");
    assertThat(l.path("dataset").path("how").asText()).isEqualTo(DatasetIdentity.BUILTIN);
    assertThat(l.path("dataset").path("digest").asText())
        .isEqualTo(DatasetIdentity.of(distillCfg).digest())
        .startsWith("sha256:");
    assertThat(l.path("codeVersion").asText()).isEqualTo(CodeVersion.get()).matches("mdt \\d.*");
    assertThat(l.path("seeds").path("training").asLong()).isEqualTo(42);
    assertThat(l.path("seeds").path("evaluation").asLong()).isEqualTo(distillCfg.evaluation.seed);
    assertThat(lineages[1]).isEqualTo(lineages[0]);
    assertThat(digests[1]).isEqualTo(digests[0]);

    cli.out.getBuffer().setLength(0);
    Path student = dir.resolve("distill0/student-mdt");
    assertThat(cli.run("info", "--model", student.toString())).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("digest " + digests[0])
        .contains("teacher " + teacher.dir() + " " + teacher.digest())
        .contains("dataset builtin:shapes " + l.path("dataset").path("digest").asText())
        .contains("(builtin)")
        .contains("code " + CodeVersion.get())
        .contains("seeds training 42, dataset 7, evaluation " + distillCfg.evaluation.seed)
        .contains("config stage structure, method mdt, studentSteps [1,2], maxSteps 2")
        .contains("output " + dir.resolve("distill0"))
        .contains("made ");
  }

  @Test
  void infoSaysWhenAnArtifactRecordsNoLineage() throws Exception {
    Path shipped = BundledArtifacts.open(Teachers.SHIPPED_NAME).dir();
    assertThat(cli.run("info", "--model", shipped.toString())).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("digest sha256:")
        .contains(LineageReport.NOT_RECORDED)
        .contains("image not recorded");
  }

  @Test
  void infoOnAMissingDirectoryIsAnInputError(@TempDir Path dir) {
    assertThat(cli.run("info", "--model", dir.resolve("nothing").toString()))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("nothing");
  }

  @Test
  void theImageComesFromTheOperatorsEnvVarAndIsAbsentWithoutIt() {
    assertThat(Provenance.image(java.util.Map.of(Provenance.IMAGE_ENV, " registry/mdt:1.2 ")))
        .isEqualTo("registry/mdt:1.2");
    assertThat(Provenance.image(java.util.Map.of(Provenance.IMAGE_ENV, " "))).isNull();
    assertThat(Provenance.image(java.util.Map.of())).isNull();
  }

  private static JsonNode lineage(Artifact a) {
    return a.modelJson().path("training").path("lineage");
  }
}
