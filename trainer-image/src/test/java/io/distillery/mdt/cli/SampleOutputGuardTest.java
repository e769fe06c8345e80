package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.ExitCodes;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.train.TeacherTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt sample --out} replaces only an earlier sample output: a model artifact, a directory
 * holding the model and any other non-empty directory are refused by name, and nothing is deleted.
 */
class SampleOutputGuardTest {
  @TempDir static Path tmp;
  static Path model;

  private final MdtCli cli = new MdtCli();

  @BeforeAll
  static void trainTinyTeacher() {
    MdtCli trainer = new MdtCli();
    Path outDir = tmp.resolve("out");
    assertThat(trainer.run(MdtTest.tinyTeacher(outDir).toArray(String[]::new)))
        .as(trainer.err.toString())
        .isZero();
    model = outDir.resolve(TeacherTraining.ARTIFACT_DIR);
  }

  private int sample(Path out) {
    return cli.run(
        "sample",
        "--model",
        model.toString(),
        "--steps",
        "1",
        "--device",
        "cpu",
        "--out",
        out.toString());
  }

  private void assertRefusedNaming(Path dir) {
    assertThat(cli.err.toString())
        .contains("--out")
        .contains(dir.toString())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void theModelItselfIsNeverAnOutputDirectory() throws Exception {
    String digest = Artifact.open(model).digest();
    assertThat(sample(model)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(model);
    assertThat(Artifact.open(model).digest()).isEqualTo(digest);
  }

  @Test
  void aDirectoryHoldingTheModelIsRefused() throws Exception {
    Path parent = model.getParent();
    assertThat(sample(parent)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(parent);
    assertThat(Artifact.open(model).dir()).exists();
  }

  @Test
  void aDirectoryInsideTheModelIsRefused() throws Exception {
    String digest = Artifact.open(model).digest();
    Path inside = model.resolve("samples");
    assertThat(sample(inside)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(inside);
    assertThat(inside).doesNotExist();
    assertThat(Artifact.open(model).digest()).isEqualTo(digest);
  }

  @Test
  void anotherModelArtifactIsRefused() throws Exception {
    Path copy = tmp.resolve("copy-of-model");
    if (!Files.exists(copy)) {
      Files.createDirectories(copy);
      try (var files = Files.list(model)) {
        for (Path f : files.toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    assertThat(sample(copy)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(copy);
    assertThat(Artifact.open(copy).dir()).exists();
  }

  @Test
  void aNonEmptyDirectoryIsRefusedWithoutAStackTrace(@TempDir Path dir) throws Exception {
    Path notes = dir.resolve("notes.txt");
    Files.writeString(notes, "keep me");
    assertThat(sample(dir)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(dir);
    assertThat(cli.err.toString().strip().lines()).hasSize(1);
    assertThat(Files.readString(notes)).isEqualTo("keep me");
  }

  @Test
  void aFileIsRefused(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "keep me");
    assertThat(sample(file)).as(cli.err.toString()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertRefusedNaming(file);
    assertThat(Files.readString(file)).isEqualTo("keep me");
  }

  @Test
  void anEarlierSampleOutputAndAnEmptyDirectoryAreReplaced(@TempDir Path dir) throws Exception {
    Path samples = Files.createDirectories(dir.resolve("samples"));
    assertThat(sample(samples)).as(cli.err.toString()).isZero();
    String first = Artifact.open(samples).digest();
    assertThat(sample(samples)).as(cli.err.toString()).isZero();
    assertThat(Artifact.open(samples).digest()).isEqualTo(first);
  }
}
