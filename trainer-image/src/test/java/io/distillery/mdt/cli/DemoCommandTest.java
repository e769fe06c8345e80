package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.TrainerConfig;
import io.distillery.mdt.model.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

  private static DemoCommand parsed(String... args) {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs(args);
    return demo;
  }

  @Test
  void defaultsEvaluate256SamplesOnEachOf2EvaluationSeedsWithOneTrainingSeed() {
    DemoCommand demo = parsed();
    TrainerConfig cfg = demo.options.load(DemoCommand.DEMO_DEFAULTS);
    assertThat(cfg.evaluation.samples).isEqualTo(256);
    assertThat(demo.evalSeeds).isEqualTo(2);
    assertThat(demo.seeds).isEqualTo(1);
    // The held-out split holds the 2 x 256 shapes the FD floor compares.
    assertThat(cfg.dataset.heldOutSamples).isGreaterThanOrEqualTo(2 * cfg.evaluation.samples);
  }

  @Test
  void theDemoStatesClassAccuracysIntervalWithTheNumbersOfEvaluationMd() {
    // 512 samples: 1.96 sqrt(0.25 / 512) = 4.3 points, 1.96 sqrt(0.09 / 512) = 2.6 points.
    assertThat(DemoCommand.accuracyInterval(256, 2))
        .contains("256 samples x 2 evaluation seed(s) = 512")
        .contains("+-4.3 points at worst (accuracy 50%)")
        .contains("+-2.6 at 90% accuracy")
        .contains("+-4 at worst needs 601 samples");
    // EVALUATION.md: 512 on each of 2 seeds give +-3.1; one seed of 512 at p = 0.9 gives +-2.6.
    assertThat(DemoCommand.accuracyInterval(512, 2)).contains("+-3.1 points at worst");
    assertThat(DemoCommand.accuracyInterval(512, 1)).contains("+-2.6 at 90% accuracy");
  }

  @Test
  void theDemoAlsoDistillsTheAppearanceStageAndSamplesBothStudentsInColour(@TempDir Path dir)
      throws Exception {
    // Tiny budgets: the plumbing of both stages, not their quality (DemoRankingTest,
    // BENCHMARKS.md).
    MdtCli cli = new MdtCli();
    int code =
        cli.run(
            "demo",
            "--steps",
            "2",
            "--appearance-steps",
            "2",
            "--set",
            "evaluation.samples=8",
            "--eval-seeds",
            "1",
            "--device",
            "cpu",
            "--demo-out",
            dir.toString());
    assertThat(code).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString())
        .contains("Second stage: colours on the occupied voxels")
        .contains("| mdt 1 step |")
        .containsPattern("teacher 25 steps x 2 against MDT 1 step x 2 at batch 1: [0-9.]+x faster")
        .containsPattern("Time: structure stage [0-9.]+ min, appearance stage and pipeline");
    var pipeline = Pipelines.open(dir.resolve("pipeline"));
    assertThat(pipeline.structureCard().stage()).isEqualTo(TrainerConfig.Stage.STRUCTURE);
    assertThat(pipeline.structureCard().role()).isEqualTo("student");
    assertThat(pipeline.appearanceCard().stage()).isEqualTo(TrainerConfig.Stage.APPEARANCE);
    assertThat(pipeline.appearanceCard().role()).isEqualTo("student");
    Path samples = dir.resolve("pipeline-samples");
    assertThat(samples.resolve("sheet.png")).isRegularFile();
    try (Stream<Path> files = Files.list(samples)) {
      // One coloured shape per class of the 8 built-in ones.
      assertThat(files.filter(f -> f.toString().endsWith(".ply"))).hasSize(8);
    }
  }
}
