package io.distillery.mdt.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of a comparison: {@code report.json} (machine, date, seed, samples, reference floor,
 * one row per model) and the same table as markdown.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComparisonReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public String machine;
  public String date;
  public long seed;
  public int samples;
  public Reference reference = new Reference();
  public List<Row> rows = new ArrayList<>();

  /** The floor: FD between two halves of the held-out real shapes. */
  public static class Reference {
    public double fdRefVsRef;
    public double occupancy;
  }

  /** One model at one step count. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Row {
    public String method;
    public int steps;
    public double fd;
    public double classAccuracy;
    public double mmd;
    public double cov;
    public double nna;
    public int nfe;
    public double latencyMsBatch1;
    public double throughputPerSec;

    /** Latency ratio at batch 1 over the reference teacher (25 steps with CFG). */
    public double speedup;

    /** Throughput ratio at batch 32 over the reference teacher. */
    public double speedupBatch32;

    public double occupancy;
  }

  public Row row(String method, int steps) {
    return rows.stream()
        .filter(r -> r.method.equals(method) && r.steps == steps)
        .findFirst()
        .orElse(null);
  }

  public void writeJson(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), this);
  }

  public static ComparisonReport readJson(Path file) throws IOException {
    return JSON.readValue(file.toFile(), ComparisonReport.class);
  }

  /** The table, one line per row, with the reference floor under it. */
  public String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| model | steps | NFE | FD | class acc. | MMD | COV | 1-NNA | occupancy | latency b=1 (ms) |"
            + " samples/s b=32 | speedup b=1 | speedup b=32 |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %.1f | %.1f%% | %.3f | %.2f | %.2f | %.3f | %.1f | %.1f | %.1fx |"
                  + " %.1fx |\n",
              r.method,
              r.steps,
              r.nfe,
              r.fd,
              100 * r.classAccuracy,
              r.mmd,
              r.cov,
              r.nna,
              r.occupancy,
              r.latencyMsBatch1,
              r.throughputPerSec,
              r.speedup,
              r.speedupBatch32));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "\nFloor: FD between two halves of the held-out real shapes = %.1f (their occupancy"
                + " %.3f). FD is on the shipped classifier's features; MMD, COV and 1-NNA use the"
                + " voxel-IoU distance (1-NNA: 0.5 is ideal).\n",
            reference.fdRefVsRef,
            reference.occupancy));
    return sb.toString();
  }

  public void writeMarkdown(Path file, String title, String command) throws IOException {
    String text =
        "# "
            + title
            + "\n\n"
            + "Machine: "
            + machine
            + "  \nDate: "
            + date
            + "  \nSeed: "
            + seed
            + ", samples per model: "
            + samples
            + (command == null ? "" : "  \nCommand: `" + command + "`")
            + "\n\n"
            + markdownTable();
    Files.writeString(file, text);
  }
}
