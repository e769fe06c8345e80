package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.ExitCodes;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.model.TinyPipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mdt pipeline} and {@code mdt sample} on a pipeline, as a person runs them. */
class PipelineCommandTest {
  @TempDir Path tmp;
  Path structure;
  Path appearance;
  String structureDigest;

  private final MdtCli cli = new MdtCli();

  @BeforeEach
  void stages() throws Exception {
    structure = tmp.resolve("models").resolve("structure");
    appearance = tmp.resolve("models").resolve("appearance");
    structureDigest = TinyPipelines.structure(structure, 1).digest();
    TinyPipelines.appearance(appearance, 2);
  }

  private int pipeline(Path s, Path a, Path out) {
    return cli.run(
        "pipeline",
        "--structure",
        s.toString(),
        "--appearance",
        a.toString(),
        "--out",
        out.toString());
  }

  private int sample(Path model, Path out, String... more) {
    String[] base = {
      "sample",
      "--model",
      model.toString(),
      "--per-class",
      "1",
      "--seed",
      "4",
      "--device",
      "cpu",
      "--out",
      out.toString()
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return cli.run(args);
  }

  @Test
  void aPipelineIsWrittenAndSampledInColour() throws Exception {
    Path pipe = tmp.resolve("models").resolve("pipe");
    assertThat(pipeline(structure, appearance, pipe)).as(cli.err.toString()).isZero();
    String digest = Artifact.open(pipe).digest();
    assertThat(cli.out.toString()).contains(pipe.toString()).contains(digest);

    Path samples = tmp.resolve("samples");
    assertThat(sample(pipe, samples, "--appearance-steps", "1")).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("3 shapes")
        .contains("appearance: 1 steps")
        .contains("empty structures got no appearance")
        .contains(samples.toString());
    JsonNode json = Artifact.open(samples).modelJson();
    assertThat(json.path("modelDigest").asText()).isEqualTo(digest);
    assertThat(json.at("/stages/structure/digest").asText()).isEqualTo(structureDigest);
    assertThat(samples.resolve("000-a-s4.ply")).exists();
    assertThat(samples.resolve(io.distillery.mdt.sampling.SampleShapes.SHEET)).exists();
  }

  @Test
  void infoOnAPipelineNamesItsStagesWhoseLineageItDoesNotRepeat() throws Exception {
    Path pipe = tmp.resolve("models").resolve("pipe");
    assertThat(pipeline(structure, appearance, pipe)).as(cli.err.toString()).isZero();
    cli.out.getBuffer().setLength(0);
    assertThat(cli.run("info", "--model", pipe.toString())).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("kind pipeline")
        .contains("digest " + Artifact.open(pipe).digest())
        .contains("lineage: a pipeline records none itself")
        .contains("structure ")
        .contains("appearance ");
  }

  @Test
  void relativeStagePathsTravelWithThePipeline() throws Exception {
    Path cwd = Path.of("").toAbsolutePath();
    Path pipe = tmp.resolve("models").resolve("pipe");
    assertThat(
            pipeline(cwd.relativize(structure), cwd.relativize(appearance), cwd.relativize(pipe)))
        .as(cli.err.toString())
        .isZero();
    assertThat(Artifact.open(pipe).modelJson().at("/stages/structure/path").asText())
        .isEqualTo("../structure");
    Path moved = tmp.resolve("elsewhere");
    Files.move(tmp.resolve("models"), moved);
    assertThat(sample(moved.resolve("pipe"), tmp.resolve("s"))).as(cli.err.toString()).isZero();
  }

  @Test
  void badStagesAreRefusedWithExit3NamingTheStage() throws Exception {
    Path pipe = tmp.resolve("pipe");
    assertThat(pipeline(appearance, structure, pipe)).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("structure stage").contains(appearance.toString());
    assertThat(pipeline(structure, tmp.resolve("nowhere"), pipe))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("nowhere").contains("appearance stage");
    assertThat(pipe).doesNotExist();

    assertThat(pipeline(structure, appearance, pipe)).isZero();
    TinyPipelines.structure(structure, 9); // retrained after the pipeline was made
    assertThat(sample(pipe, tmp.resolve("s"))).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString())
        .contains("structure stage")
        .contains(structureDigest)
        .contains("mdt pipeline")
        .doesNotContain("\tat ");
    assertThat(tmp.resolve("s")).doesNotExist();
  }

  @Test
  void anAppearanceModelAloneIsRefusedWithExit3() {
    assertThat(sample(appearance, tmp.resolve("s"))).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("appearance model").contains("mdt pipeline");
    assertThat(sample(structure, tmp.resolve("s2"), "--appearance-steps", "2"))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("--appearance-steps");
  }

  @Test
  void outputsNeverReplaceAModelOrAStage() throws Exception {
    assertThat(pipeline(structure, appearance, structure)).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(cli.err.toString()).contains("--out").contains(structure.toString());
    assertThat(pipeline(structure, appearance, tmp.resolve("models")))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(Artifact.open(structure).digest()).isEqualTo(structureDigest);

    Path pipe = tmp.resolve("pipe");
    assertThat(pipeline(structure, appearance, pipe)).isZero();
    assertThat(pipeline(structure, appearance, pipe)).as("an earlier pipeline").isZero();
    assertThat(sample(pipe, structure)).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(cli.err.toString()).contains("structure stage");
    assertThat(sample(pipe, pipe)).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(Artifact.open(structure).digest()).isEqualTo(structureDigest);
    Artifact.open(pipe);
  }
}
