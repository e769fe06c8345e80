package io.distillery.mdt.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a comparison: {@code report.json} (machine, date, seeds, samples, reference floor,
 * one row per model with each metric's mean over seeds and its 95% interval, per-class accuracy,
 * the claims and their verdicts) and the same as markdown.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ComparisonReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public String machine;
  public String date;

  /** The first evaluation seed (sample {@code i} of evaluation seed {@code s} uses noise s + i). */
  public long seed;

  /** Generated samples per model and evaluation seed. */
  public int samples;

  /** Seeds the students were distilled with (the teacher does not depend on them). */
  public List<Long> trainingSeeds = new ArrayList<>();

  /** Noise and condition seeds every model was evaluated on. */
  public List<Long> evalSeeds = new ArrayList<>();

  /** Bootstrap replicates behind each interval. */
  public Integer bootstrapReplicates;

  /** How the intervals were computed. */
  public String intervals;

  /** A caveat a reader must see (for example: one training seed only). */
  public String note;

  public List<String> classNames;

  /**
   * The features of FD and the set metrics ({@code classifier}, {@code teacher} or {@code
   * torchscript sha256:<hex>}); figures on different features are not comparable.
   */
  public String features;

  public Reference reference = new Reference();
  public List<Row> rows = new ArrayList<>();
  public List<Claim> claims = new ArrayList<>();

  /** Where a training step's time went, measured before the comparison (issue 19). */
  public List<TrainingThroughput.Result> trainingThroughput;

  /** The floor: what two halves of the held-out real shapes score against each other. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Reference {
    public Double fdRefVsRef;
    public Double occupancy;

    /** Every metric of one held-out half against the other (the ideal values). */
    public Map<String, Double> realVsReal;
  }

  /** One model at one step count. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Row {
    public String method;
    public int steps;

    /**
     * Quality metrics, each the mean over training and evaluation seeds; null when the data has no
     * classifier (not the built-in 16^3 shapes). EVALUATION.md gives their meaning and direction.
     */
    public Double fd;

    public Double classAccuracy;
    public Double precision;
    public Double recall;
    public Double density;
    public Double coverage;
    public Double mmd;
    public Double cov;
    public Double nna;

    /** 95% interval of each quality metric (keys as the fields above). */
    public Map<String, Estimate> ci;

    /**
     * Paired figures against the baseline's samples from the same noise and condition (every row
     * but the baseline): {@code pairedError}, {@code pairedMse}, {@code pairedCosine} and, for
     * occupancy grids, {@code pairedIoU}, each the mean with its 95% interval.
     */
    public Map<String, Estimate> paired;

    /** FD between this row's samples and the baseline's, on the report's features. */
    public Double fdToTeacher;

    /** Class accuracy per class name, with its 95% interval. */
    public Map<String, Estimate> perClassAccuracy;

    /** Training seeds this row was evaluated for (null for rows that do not depend on them). */
    public Integer trainingSeeds;

    /** Why a row lacks seeds or values (for example: training diverged). */
    public String note;

    public int nfe;
    public double latencyMsBatch1;
    public double throughputPerSec;

    /** Latency ratio at batch 1 over the reference teacher (25 steps with CFG). */
    public double speedup;

    /** Throughput ratio at batch 32 over the reference teacher. */
    public double speedupBatch32;

    public Double occupancy;

    public String name() {
      return method + " " + steps;
    }

    Estimate estimate(String metric) {
      return ci == null ? null : ci.get(metric);
    }

    /** The mean of paired figure {@code name}, or null. */
    public Double paired(String name) {
      Estimate e = paired == null ? null : paired.get(name);
      return e == null ? null : e.mean();
    }
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

  private static String num(Row r, String metric, Double v, String format) {
    if (v == null) {
      return "n/a";
    }
    Estimate e = r.estimate(metric);
    if (e == null || !Double.isFinite(e.lo())) {
      return String.format(Locale.ROOT, format, v);
    }
    return e.format(format);
  }

  private static String pct(Row r, String metric, Double v) {
    if (v == null) {
      return "n/a";
    }
    Estimate e = r.estimate(metric);
    return e == null || !Double.isFinite(e.lo())
        ? String.format(Locale.ROOT, "%.1f%%", 100 * v)
        : e.percent();
  }

  /** The main table, one line per row, with the reference floor and the seeds under it. */
  public String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| model | steps | NFE | FD | class acc. | precision | recall | 1-NNA | occupancy |"
            + " latency b=1 (ms) | samples/s b=32 | speedup b=1 | speedup b=32 |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.1fx | %.1fx |\n",
              r.method + (r.note == null ? "" : " (" + r.note + ")"),
              r.steps,
              r.nfe,
              num(r, "fd", r.fd, "%.1f"),
              pct(r, "classAccuracy", r.classAccuracy),
              num(r, "precision", r.precision, "%.2f"),
              num(r, "recall", r.recall, "%.2f"),
              num(r, "nna", r.nna, "%.2f"),
              r.occupancy == null ? "n/a" : String.format(Locale.ROOT, "%.3f", r.occupancy),
              r.latencyMsBatch1,
              r.throughputPerSec,
              r.speedup,
              r.speedupBatch32));
    }
    if (reference.fdRefVsRef == null) {
      sb.append("\nNo features to measure the distribution on: paired and speed figures only.\n");
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "\nFloor: FD between two halves of the held-out real samples = %.1f%s%s. Every"
                  + " distribution metric is on the %s features (EVALUATION.md): FD and 1-NNA"
                  + " lower is better (1-NNA ideal 0.5), class accuracy, precision and recall"
                  + " higher is better (ideal 1).\n",
              reference.fdRefVsRef,
              reference.occupancy == null
                  ? ""
                  : String.format(Locale.ROOT, " (their occupancy %.3f)", reference.occupancy),
              reference.realVsReal == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "; real vs real: precision %.2f, recall %.2f, 1-NNA %.2f",
                      reference.realVsReal.get("precision"),
                      reference.realVsReal.get("recall"),
                      reference.realVsReal.get("nna")),
              features == null ? "classifier" : features));
    }
    sb.append(fidelityTable());
    sb.append(seedsLine()).append('\n');
    return sb.toString();
  }

  /**
   * The paired figures: each row's samples against the baseline's (the first row) from the same
   * noise and condition. Empty when no row has them.
   */
  public String fidelityTable() {
    if (rows.stream().noneMatch(r -> r.paired != null)) {
      return "";
    }
    boolean iou =
        rows.stream().anyMatch(r -> r.paired != null && r.paired.containsKey("pairedIoU"));
    StringBuilder sb =
        new StringBuilder(
            "\nPaired with "
                + rows.get(0).method
                + " "
                + rows.get(0).steps
                + " (same noise and condition; error = relative L2, lower is better; cosine"
                + (iou ? " and IoU" : "")
                + " higher is better, ideal 1):\n\n| model | steps | paired error | MSE | cosine |"
                + (iou ? " IoU |" : "")
                + " FD to teacher |\n|---|---|---|---|---|"
                + (iou ? "---|" : "")
                + "---|\n");
    for (Row r : rows) {
      if (r.paired == null) continue;
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s |%s %s |\n",
              r.method,
              r.steps,
              pairedCell(r, "pairedError", "%.3f"),
              pairedCell(r, "pairedMse", "%.4f"),
              pairedCell(r, "pairedCosine", "%.3f"),
              iou ? " " + pairedCell(r, "pairedIoU", "%.3f") + " |" : "",
              r.fdToTeacher == null ? "n/a" : String.format(Locale.ROOT, "%.1f", r.fdToTeacher)));
    }
    return sb.toString();
  }

  private static String pairedCell(Row r, String name, String format) {
    Estimate e = r.paired.get(name);
    return e == null ? "n/a" : e.format(format);
  }

  /** Training and evaluation seeds, samples and the interval method, in one sentence. */
  public String seedsLine() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%s: %d training seed(s) %s x %d evaluation seed(s) %s, %d samples per model and"
                + " evaluation seed",
            ci() ? "Mean [95% interval]" : "Values",
            trainingSeeds.size(),
            trainingSeeds,
            evalSeeds.size(),
            evalSeeds,
            samples));
    if (intervals != null) {
      sb.append("; ").append(intervals);
    }
    sb.append('.');
    if (note != null) {
      sb.append(" **").append(note).append("**");
    }
    return sb.toString();
  }

  private boolean ci() {
    return rows.stream().anyMatch(r -> r.ci != null);
  }

  /** Density, coverage, MMD and COV, and per-class accuracy: the tables under the main one. */
  public String detailTables() {
    if (!ci()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\n| model | steps | density | coverage | MMD | COV |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s |\n",
              r.method,
              r.steps,
              num(r, "density", r.density, "%.2f"),
              num(r, "coverage", r.coverage, "%.2f"),
              num(r, "mmd", r.mmd, "%.2f"),
              num(r, "cov", r.cov, "%.2f")));
    }
    if (classNames != null) {
      sb.append("\nClass accuracy per class (%, mean [95% interval]):\n\n| model | steps |");
      classNames.forEach(c -> sb.append(' ').append(c).append(" |"));
      sb.append("\n|---|---|").append("---|".repeat(classNames.size())).append('\n');
      for (Row r : rows) {
        sb.append("| ").append(r.method).append(" | ").append(r.steps).append(" |");
        for (String c : classNames) {
          Estimate e = r.perClassAccuracy == null ? null : r.perClassAccuracy.get(c);
          sb.append(' ')
              .append(
                  e == null
                      ? "n/a"
                      : String.format(
                          Locale.ROOT,
                          "%.0f [%.0f, %.0f]",
                          100 * e.mean(),
                          100 * e.lo(),
                          100 * e.hi()))
              .append(" |");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** The claims as a markdown table. */
  public String claimsMarkdown() {
    if (claims.isEmpty()) {
      return "";
    }
    StringBuilder sb =
        new StringBuilder(
            "\nClaims (paired over the same seeds; met = the 95% interval clears the threshold,"
                + " not met = it clears it the wrong way, not separated = it straddles it):\n\n"
                + "| claim | statistic | estimate [95% interval] | threshold | verdict |\n"
                + "|---|---|---|---|---|\n");
    for (Claim c : claims) {
      boolean ratio = c.kind == Claim.Kind.FD_RATIO_BELOW;
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | **%s** |\n",
              c.text,
              c.statistic,
              c.estimate == null
                  ? "n/a" + (c.why == null ? "" : " (" + c.why + ")")
                  : ratio
                      ? c.estimate.format("%.2f")
                      : String.format(
                          Locale.ROOT,
                          "%+.1f [%+.1f, %+.1f] points",
                          100 * c.estimate.mean(),
                          100 * c.estimate.lo(),
                          100 * c.estimate.hi()),
              ratio
                  ? String.format(Locale.ROOT, "< %.2f", c.threshold)
                  : String.format(Locale.ROOT, "> %+.1f points", 100 * c.threshold),
              c.verdict));
    }
    return sb.toString();
  }

  /** A one-screen verdict: the claims with their intervals, and how much to trust them. */
  public String verdictText() {
    StringBuilder sb = new StringBuilder("Verdict (95% intervals, paired over the same seeds)\n");
    if (claims.isEmpty()) {
      sb.append("  no claims were checked (quality needs the built-in 16^3 shapes)\n");
    }
    for (Claim c : claims) {
      sb.append("  ").append(c.line()).append('\n');
    }
    long notEvaluated = count(Claim.NOT_EVALUATED);
    sb.append(
        String.format(
            Locale.ROOT,
            "  %d met, %d not met, %d not separated%s. %d training seed(s) x %d evaluation seed(s),"
                + " %d samples each.%n",
            count(Claim.MET),
            count(Claim.NOT_MET),
            count(Claim.NOT_SEPARATED),
            notEvaluated == 0 ? "" : ", " + notEvaluated + " not evaluated",
            trainingSeeds.size(),
            evalSeeds.size(),
            samples));
    if (note != null) {
      sb.append("  ").append(note).append('\n');
    }
    return sb.toString();
  }

  private long count(String verdict) {
    return claims.stream().filter(c -> verdict.equals(c.verdict)).count();
  }

  /** Everything: main table, detail tables and claims. */
  public String markdown() {
    return markdownTable() + detailTables() + claimsMarkdown();
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
            + (command == null ? "" : "  \nCommand: `" + command + "`")
            + "\n\n"
            + markdown();
    Files.writeString(file, text);
  }

  /** Quality metric values of a {@link io.distillery.mdt.eval.ShapeEvaluator.Quality} by key. */
  static Map<String, Double> values(io.distillery.mdt.eval.ShapeEvaluator.Quality q) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("fd", q.fd());
    m.put("classAccuracy", q.classAccuracy());
    m.put("precision", q.precision());
    m.put("recall", q.recall());
    m.put("density", q.density());
    m.put("coverage", q.coverage());
    m.put("mmd", q.mmd());
    m.put("cov", q.cov());
    m.put("nna", q.nna());
    return m;
  }
}
