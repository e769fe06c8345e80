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
    public Double fdRefVsRef;
    public Double occupancy;
  }

  /** One model at one step count. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Row {
    public String method;
    public int steps;

    /** Quality metrics; null when the data has no classifier (not the built-in 16^3 shapes). */
    public Double fd;

    public Double classAccuracy;
    public Double mmd;
    public Double cov;
    public Double nna;
    public int nfe;
    public double latencyMsBatch1;
    public double throughputPerSec;

    /** Latency ratio at batch 1 over the reference teacher (25 steps with CFG). */
    public double speedup;

    /** Throughput ratio at batch 32 over the reference teacher. */
    public double speedupBatch32;

    public Double occupancy;
  }

  public Row row(String method, int steps) {
    return rows.stream()
        .filter(r -> r.method.equals(method) && r.steps == steps)
        .findFirst()
        .orElse(null);
  }

  private static String num(Double v, String format) {
    return v == null ? "n/a" : String.format(Locale.ROOT, format, v);
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
              "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.1fx | %.1fx |\n",
              r.method,
              r.steps,
              r.nfe,
              num(r.fd, "%.1f"),
              r.classAccuracy == null
                  ? "n/a"
                  : String.format(Locale.ROOT, "%.1f%%", 100 * r.classAccuracy),
              num(r.mmd, "%.3f"),
              num(r.cov, "%.2f"),
              num(r.nna, "%.2f"),
              num(r.occupancy, "%.3f"),
              r.latencyMsBatch1,
              r.throughputPerSec,
              r.speedup,
              r.speedupBatch32));
    }
    if (reference.fdRefVsRef == null) {
      sb.append(
          "\nQuality metrics need the built-in 16^3 shapes and their classifier; this data has"
              + " speed figures only.\n");
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "\nFloor: FD between two halves of the held-out real shapes = %.1f (their occupancy"
                  + " %.3f). FD is on the shipped classifier's features; MMD, COV and 1-NNA use the"
                  + " voxel-IoU distance (1-NNA: 0.5 is ideal).\n",
              reference.fdRefVsRef,
              reference.occupancy));
    }
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
