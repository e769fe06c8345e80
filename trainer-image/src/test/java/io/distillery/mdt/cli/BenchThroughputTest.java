package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.train.TeacherTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mdt bench --throughput-only} on a tiny teacher: the rows, the files and the section. */
class BenchThroughputTest {

  @Test
  void accountsForTeacherTrainingAndBothDistillationsAndWritesItsSection(@TempDir Path dir)
      throws Exception {
    MdtCli mdt = new MdtCli();
    Path trained = dir.resolve("teacher-run");
    assertThat(mdt.run(MdtTest.tinyTeacher(trained).toArray(String[]::new)))
        .as(mdt.err.toString())
        .isZero();
    Path benchmarks = dir.resolve("BENCHMARKS.md");
    Files.writeString(
        benchmarks,
        "# Benchmarks\n\n<!-- BEGIN training-throughput -->\nold\n<!-- END training-throughput"
            + " -->\n\n## Serving\n");
    Path out = dir.resolve("bench");
    int code =
        mdt.run(
            "bench",
            "--throughput-only",
            "--throughput-steps",
            "2",
            "--device",
            "cpu",
            "--set",
            "teacher.uri=" + trained.resolve(TeacherTraining.ARTIFACT_DIR),
            "--set",
            "hyperparameters.batchSize=4",
            "--set",
            "dataset.trainSamples=64",
            "--bench-out",
            out.toString(),
            "--benchmarks",
            benchmarks.toString());
    assertThat(code).as(mdt.err.toString()).isZero();

    JsonNode rows = new ObjectMapper().readTree(out.resolve("training-throughput.json").toFile());
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).path("workload").asText()).isEqualTo("teacher training");
    assertThat(rows.get(1).path("workload").asText()).isEqualTo("distillation (mdt)");
    assertThat(rows.get(2).path("workload").asText()).isEqualTo("distillation (cm)");
    for (JsonNode r : rows) {
      double sum = 0;
      for (JsonNode f : r.path("fractions")) {
        sum += f.asDouble();
      }
      assertThat(sum).as(r.path("workload").asText()).isBetween(0.999, 1 + 1e-9);
      assertThat(r.path("samplesPerSec").asDouble()).isPositive();
      assertThat(r.path("peak").path("gflops").asDouble()).isPositive();
    }
    // Distillation runs the frozen teacher; teacher training has none.
    assertThat(rows.get(0).path("fractions").path("teacherForward").asDouble()).isZero();
    assertThat(rows.get(1).path("fractions").path("teacherForward").asDouble()).isPositive();
    // CM's targets come from an EMA copy of the student (emaTarget), MDT's from the student itself.
    assertThat(rows.get(2).path("fractions").path("trainedForwardNoGrad").asDouble()).isPositive();

    String text = Files.readString(benchmarks);
    assertThat(text)
        .contains("## Training throughput (`mdt bench`)")
        .contains("Command: `mdt bench --throughput-only")
        .contains("| distillation (cm) | 4 |")
        .doesNotContain("\nold\n")
        .endsWith("## Serving\n");
    assertThat(mdt.out.toString()).contains("teacher training: ").contains("samples/s");
    // The loop's scratch checkpoints are gone.
    try (var left = Files.list(out)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("training-throughput.json", "training-throughput.md");
    }
  }

  @Test
  void zeroThroughputStepsAreAConfigErrorNamingTheOption(@TempDir Path dir) {
    MdtCli mdt = new MdtCli();
    Path out = dir.resolve("bench");
    assertThat(
            mdt.run(
                "bench",
                "--throughput-only",
                "--throughput-steps",
                "0",
                "--bench-out",
                out.toString(),
                "--benchmarks",
                dir.resolve("B.md").toString()))
        .isEqualTo(io.distillery.config.ExitCodes.INVALID_CONFIG);
    assertThat(mdt.err.toString()).contains("--throughput-steps: must be at least 1");
    assertThat(out).doesNotExist();
  }
}
