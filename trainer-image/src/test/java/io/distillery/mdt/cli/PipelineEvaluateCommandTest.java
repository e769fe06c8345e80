package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.model.TinyPipelines;
import io.distillery.mdt.model.TinySpecs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mdt evaluate} on a two-stage pipeline, as a person runs it. */
class PipelineEvaluateCommandTest {
  @TempDir Path tmp;
  Path structure;
  Path appearance;
  Path pipe;
  String structureDigest;

  private final MdtCli cli = new MdtCli();

  /** Tiny stages on the built-in classes at 16^3, the shipped classifier's grid. */
  @BeforeEach
  void stages() throws Exception {
    structure = tmp.resolve("structure");
    appearance = tmp.resolve("appearance");
    pipe = tmp.resolve("pipe");
    structureDigest = makePipeline(structure, appearance, pipe, BuiltinShapes.CLASS_NAMES);
  }

  /** Writes both stages for {@code classes} and the pipeline; the structure stage's digest. */
  private String makePipeline(Path structure, Path appearance, Path pipe, List<String> classes)
      throws Exception {
    ModelSpec s = TinySpecs.tiny();
    s.resolution = 16;
    s.patchSize = 8;
    s.numClasses = classes.size();
    String digest = TinyPipelines.structure(structure, 1, s, classes).digest();
    ModelSpec a = TinyPipelines.appearanceSpec();
    a.resolution = 16;
    a.patchSize = 4;
    a.numClasses = classes.size();
    TinyPipelines.appearance(appearance, 2, a, classes);
    assertThat(
            cli.run(
                "pipeline",
                "--structure",
                structure.toString(),
                "--appearance",
                appearance.toString(),
                "--out",
                pipe.toString()))
        .as(cli.err.toString())
        .isZero();
    return digest;
  }

  private int evaluate(Path model, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--model",
                model.toString(),
                "--samples",
                "16",
                "--set",
                "dataset.heldOutSamples=32",
                "--device",
                "cpu",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return cli.run(args.toArray(String[]::new));
  }

  @Test
  void aPipelineIsEvaluatedEndToEndWithTheOffPaletteError() throws Exception {
    Path out = tmp.resolve("eval");
    assertThat(evaluate(pipe, out, "--eval-seeds", "2", "--steps", "1", "--appearance-steps", "1"))
        .as(cli.err.toString())
        .isZero();
    JsonNode report = TrainerConfigs.json().readTree(out.resolve("report.json").toFile());
    JsonNode row = report.path("rows").get(0);
    JsonNode p = report.path("pipeline");
    // The structure stage's figures, as for a single structure model.
    assertThat(row.path("digest").asText()).isEqualTo(structureDigest);
    // --steps is the structure stage's, --appearance-steps the appearance stage's.
    assertThat(row.path("steps").asInt()).isEqualTo(1);
    assertThat(p.path("stages").path("structure").path("steps").asInt()).isEqualTo(1);
    assertThat(row.path("ci").path("fd").path("mean").asDouble()).isPositive();
    assertThat(row.path("perSeed")).hasSize(2);

    assertThat(p.path("shapes").asInt()).isEqualTo(32);
    assertThat(p.path("emptyStructures").asInt()).isBetween(0, 31);
    JsonNode off = p.path("offPaletteError");
    assertThat(off.path("mean").asDouble()).isPositive();
    assertThat(off.path("lo").asDouble())
        .isLessThanOrEqualTo(off.path("mean").asDouble())
        .isPositive();
    assertThat(off.path("hi").asDouble()).isGreaterThanOrEqualTo(off.path("mean").asDouble());
    assertThat(p.path("offPaletteNote").isNull()).isTrue();
    JsonNode a = p.path("stages").path("appearance");
    assertThat(a.path("steps").asInt()).isEqualTo(1);
    assertThat(a.path("latencyMsBatch1").asDouble()).isPositive();
    assertThat(p.path("stages").path("structure").path("digest").asText())
        .isEqualTo(structureDigest);
    assertThat(p.path("nfe").asInt())
        .isEqualTo(p.path("stages").path("structure").path("nfe").asInt() + a.path("nfe").asInt());
    assertThat(p.path("latencyMsBatch1").asDouble()).isPositive();
    assertThat(p.path("throughputPerSec").asDouble()).isPositive();

    assertThat(out.resolve("report.md"))
        .content()
        .contains("## Pipeline")
        .contains("| chain (both stages")
        .contains("Off-palette error")
        .contains("Empty structures (no appearance)");
    assertThat(cli.out.toString())
        .contains("thresholded structures of the structure stage")
        .contains("pipeline: off-palette error")
        .contains("structures empty (no appearance)")
        .contains("appearance 1 steps");
  }

  @Test
  void aTamperedStageIsRefusedWithExit3NamingTheStage() throws Exception {
    TinyPipelines.structure(structure, 9); // retrained after the pipeline was made
    Path out = tmp.resolve("eval");
    assertThat(evaluate(pipe, out)).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString())
        .contains("structure stage")
        .contains(structureDigest)
        .contains("mdt pipeline")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void anAppearanceModelAloneIsRefusedWithExit3() {
    assertThat(evaluate(appearance, tmp.resolve("e"))).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("appearance model").contains("mdt pipeline");
    assertThat(tmp.resolve("e")).doesNotExist();
    assertThat(evaluate(structure, tmp.resolve("e2"), "--appearance-steps", "2"))
        .isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(cli.err.toString()).contains("--appearance-steps");
  }

  @Test
  void classesWithoutABuiltInPaletteOmitTheOffPaletteErrorAndSayWhy() throws Exception {
    Path other = tmp.resolve("abc");
    makePipeline(
        other.resolve("s"), other.resolve("a"), other.resolve("pipe"), TinyPipelines.CLASSES);
    Path out = tmp.resolve("eval");
    assertThat(evaluate(other.resolve("pipe"), out, "--steps", "1"))
        .as(cli.err.toString())
        .isZero();
    JsonNode p =
        TrainerConfigs.json().readTree(out.resolve("report.json").toFile()).path("pipeline");
    assertThat(p.path("offPaletteError").isNull()).isTrue();
    assertThat(p.path("offPaletteNote").asText()).contains("[a, b, c]").contains("built-in");
    assertThat(p.path("shapes").asInt()).isEqualTo(16);
    assertThat(out.resolve("report.md")).content().contains("Off-palette error: not computed");
    assertThat(cli.out.toString()).contains("off-palette error not computed");
  }
}
