package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.mdt.cli.Mdt;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded loopback load test and the {@code mdt serve} / {@code mdt loadtest} commands. */
class LoadTestTest {

  @Test
  void measuresEveryModelAndClientCountAndWritesJsonAndMarkdown(@TempDir Path tmp)
      throws Exception {
    Path teacher = TinyModels.teacher(tmp.resolve("t"), 8);
    Path student = TinyModels.student(teacher, tmp.resolve("s").resolve("student"), List.of(1));
    Path out = tmp.resolve("report").resolve("load.json");
    StringWriter printed = new StringWriter();
    var cl = Mdt.commandLine();
    cl.setOut(new PrintWriter(printed));
    int code =
        cl.execute(
            "loadtest",
            "--model",
            student.toString(),
            "--model",
            teacher.toString(),
            "--clients",
            "1,4",
            "--requests",
            "24",
            "--duration-s",
            "20",
            "--device",
            "cpu",
            "--out",
            out.toString());
    assertThat(code).as(printed.toString()).isZero();

    JsonNode report = Http.JSON.readTree(out.toFile());
    JsonNode rows = report.path("rows");
    assertThat(rows).hasSize(4);
    for (JsonNode r : rows) {
      assertThat(r.path("completed").asInt()).isEqualTo(24);
      assertThat(r.path("errors").asInt()).isZero();
      assertThat(r.path("p50Ms").asDouble()).isPositive();
      assertThat(r.path("p99Ms").asDouble()).isGreaterThanOrEqualTo(r.path("p50Ms").asDouble());
      assertThat(r.path("throughputPerSec").asDouble()).isPositive();
      assertThat(r.path("modelBusyPercent").asDouble()).isBetween(0.1, 101.0);
    }
    assertThat(rows.get(0).path("model").asText()).isEqualTo("s/student");
    assertThat(rows.get(0).path("nfePerSample").asInt()).isEqualTo(1);
    assertThat(rows.get(2).path("role").asText()).isEqualTo("teacher");
    assertThat(rows.get(2).path("nfePerSample").asInt()).isEqualTo(16);
    // Four clients share batches.
    assertThat(rows.get(1).path("meanBatchSize").asDouble()).isGreaterThan(1);
    String md = Files.readString(out.resolveSibling("load.md"));
    assertThat(md).contains("| model | role | steps | NFE | clients |").contains("s/student");
    // Which is faster is up to the machine with models this small; the ratio line is there.
    assertThat(md)
        .containsPattern(
            "- (s/student / t/teacher|t/teacher / s/student) throughput at 4 clients = [0-9.]+x");
    // The model-alone ceiling of each model at the max batch, and its ratio beside the served one.
    JsonNode limits = report.path("modelLimits");
    assertThat(limits).hasSize(2);
    for (JsonNode l : limits) {
      assertThat(l.path("batch").asInt()).isEqualTo(32);
      assertThat(l.path("calls").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(l.path("samplesPerSec").asDouble()).isPositive();
    }
    assertThat(md)
        .contains("Model alone (back-to-back model calls, noise included, no HTTP): s/student ")
        .containsPattern(
            "throughput at 4 clients = [0-9.]+x; model limit \\(model calls alone, batch 32\\) ="
                + " [0-9.]+x");
    assertThat(printed.toString()).contains("written").contains("model limit");
  }

  @Test
  void serveHelpShowsEveryDefaultAndBadOptionsOrModelsExitWithTheirCodes(@TempDir Path tmp) {
    StringWriter help = new StringWriter();
    var cl = Mdt.commandLine();
    cl.setOut(new PrintWriter(help));
    assertThat(cl.execute("serve", "--help")).isZero();
    assertThat(help.toString())
        .contains("--port", "Default: 8080")
        .contains("--max-batch", "Default: 32")
        .contains("--batch-window-ms", "Default: 5")
        .contains("--queue", "Default: 64")
        .contains("--max-count", "Default: 4")
        .contains("--device", "Default: auto");

    StringWriter err = new StringWriter();
    var bad = Mdt.commandLine();
    bad.setErr(new PrintWriter(err));
    assertThat(bad.execute("serve", "--model", tmp.toString(), "--max-batch", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--max-batch");

    StringWriter err2 = new StringWriter();
    var missing = Mdt.commandLine();
    missing.setErr(new PrintWriter(err2));
    int code =
        missing.execute(
            "serve",
            "--model",
            tmp.resolve("nope").toString(),
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--device",
            "cpu");
    assertThat(code).isEqualTo(3);
    assertThat(err2.toString()).contains("nope");
  }
}
