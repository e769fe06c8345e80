package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.bench.Comparison;
import io.distillery.mdt.bench.ModelEvaluation;
import io.distillery.mdt.train.TeacherTraining;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mdt evaluate}: per-class accuracy and {@code --eval-seeds}. */
class EvaluateCommandTest {
  private final MdtCli cli = new MdtCli();
  private final StringWriter out = cli.out;
  private final StringWriter err = cli.err;

  private int mdt(String... args) {
    return cli.run(args);
  }

  private JsonNode evaluate(Path model, Path report, int evalSeeds) throws Exception {
    out.getBuffer().setLength(0);
    assertThat(
            mdt(
                "evaluate",
                "--model",
                model.toString(),
                "--samples",
                "16",
                "--eval-seeds",
                Integer.toString(evalSeeds),
                "--steps",
                "1",
                "--set",
                "dataset.heldOutSamples=32",
                "--device",
                "cpu",
                "--out",
                report.toString()))
        .as(err.toString())
        .isZero();
    return TrainerConfigs.json().readTree(report.resolve("report.json").toFile());
  }

  @Test
  void perClassAccuracyCoversEveryClassAndEvalSeedsMultiplyTheSamples(@TempDir Path dir)
      throws Exception {
    Path outDir = dir.resolve("out");
    assertThat(mdt(MdtTest.tinyTeacher(outDir).toArray(String[]::new))).as(err.toString()).isZero();
    Path model = outDir.resolve(TeacherTraining.ARTIFACT_DIR);

    JsonNode one = evaluate(model, dir.resolve("one"), 1);
    JsonNode two = evaluate(model, dir.resolve("two"), 2);

    // 16 samples, classes in turn: 2 per class and seed; twice as many over two seeds.
    assertThat(one.path("samples").asInt()).isEqualTo(16);
    assertThat(one.path("evaluatedSamples").asInt()).isEqualTo(16);
    assertThat(two.path("samples").asInt()).isEqualTo(16);
    assertThat(two.path("evaluatedSamples").asInt()).isEqualTo(32);
    long first = one.path("seed").asLong();
    assertThat(two.path("evalSeeds").get(0).asLong()).isEqualTo(first);
    assertThat(two.path("evalSeeds").get(1).asLong())
        .isEqualTo(first + Comparison.EVAL_SEED_STRIDE);
    for (JsonNode report : List.of(one, two)) {
      int perSeed = report.path("evalSeeds").size();
      JsonNode row = report.path("rows").get(0);
      JsonNode perClass = row.path("perClassAccuracy");
      assertThat(names(perClass)).hasSize(8).isEqualTo(names(report.path("classSamples")));
      double sum = 0;
      int samples = 0;
      for (Map.Entry<String, JsonNode> e : entries(perClass)) {
        JsonNode est = e.getValue();
        assertThat(est.path("mean").asDouble()).as(e.getKey()).isBetween(0.0, 1.0);
        assertThat(est.path("lo").asDouble())
            .as(e.getKey())
            .isLessThanOrEqualTo(est.path("hi").asDouble());
        assertThat(report.path("classSamples").path(e.getKey()).asInt()).isEqualTo(2 * perSeed);
        samples += report.path("classSamples").path(e.getKey()).asInt();
        sum += est.path("mean").asDouble();
      }
      assertThat(samples).isEqualTo(report.path("evaluatedSamples").asInt());
      // Balanced classes: overall accuracy = mean of the per-class accuracies.
      assertThat(row.path("classAccuracy").asDouble()).isCloseTo(sum / 8, within(1e-9));
      assertThat(row.path("perSeed")).hasSize(perSeed);
      double seedMean = 0;
      for (JsonNode s : row.path("perSeed")) {
        assertThat(s.path("samples").asInt()).isEqualTo(16);
        seedMean += s.path("classAccuracy").asDouble() / perSeed;
      }
      assertThat(row.path("classAccuracy").asDouble()).isCloseTo(seedMean, within(1e-9));
    }
    // The first seed's samples are the same whatever the number of seeds.
    JsonNode a = one.path("rows").get(0).path("perSeed").get(0);
    JsonNode b = two.path("rows").get(0).path("perSeed").get(0);
    assertThat(b.path("seed").asLong()).isEqualTo(first);
    assertThat(b.path("fd").asDouble()).isCloseTo(a.path("fd").asDouble(), within(1e-6));
    assertThat(b.path("classAccuracy").asDouble()).isEqualTo(a.path("classAccuracy").asDouble());

    assertThat(dir.resolve("two").resolve("report.md"))
        .content()
        .contains("| class | samples | class acc. (Wilson) |")
        .contains("| evaluation seed | samples | FD | class acc. |")
        .contains("16 samples on each of 2 evaluation seeds");
    assertThat(out.toString())
        .contains("16 samples x 2 evaluation seeds")
        .contains("per-class accuracy")
        .contains("evaluation seed " + (first + Comparison.EVAL_SEED_STRIDE));
  }

  @Test
  void zeroEvalSeedsAreAnOptionErrorNamingTheOption(@TempDir Path dir) {
    assertThat(
            mdt(
                "evaluate",
                "--model",
                dir.resolve("none").toString(),
                "--eval-seeds",
                "0",
                "--device",
                "cpu",
                "--out",
                dir.resolve("eval").toString()))
        .isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(err.toString()).contains("--eval-seeds: must be at least 1");
    assertThat(dir.resolve("eval")).doesNotExist();
  }

  @Test
  void wilsonIntervalsStayInsideZeroToOneAndMatchTheFormula() {
    var e = ModelEvaluation.wilson(8, 10);
    assertThat(e.mean()).isEqualTo(0.8);
    assertThat(e.lo()).isCloseTo(0.4902, within(1e-4));
    assertThat(e.hi()).isCloseTo(0.9433, within(1e-4));
    var all = ModelEvaluation.wilson(128, 128);
    assertThat(all.lo()).isCloseTo(0.9709, within(1e-4));
    assertThat(all.hi()).isEqualTo(1.0);
    var none = ModelEvaluation.wilson(0, 4);
    assertThat(none.lo()).isEqualTo(0.0);
    assertThat(none.hi()).isBetween(0.0, 1.0);
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Map.Entry<String, JsonNode>> entries(JsonNode object) {
    List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    it.forEachRemaining(list::add);
    return list;
  }
}
