package io.distillery.mdt.bench;

import io.distillery.config.TrainerProgress;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.FrechetDistance;
import io.distillery.mdt.eval.PairedFidelity;
import io.distillery.mdt.eval.ShapeEvaluator;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.render.GlbWriter;
import io.distillery.mdt.render.MeshWriter;
import io.distillery.mdt.render.SampleGrid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the benchmark protocol of docs/algorithm.md section 6 over a list of models in one process:
 * the same seeds and conditions for every model, quality against held-out shapes on every
 * evaluation seed, speed measured here and now (once per row), speedups as ratios to the baseline
 * (the 25-step guided teacher). Students trained with several seeds are added per training seed; a
 * model that does not depend on the training seed (the teacher) is evaluated once per evaluation
 * seed and serves every training seed. {@link #finish} computes each metric's mean and 95% interval
 * ({@link Bootstrap}) and the claims, and writes {@code report.json}, {@code report.md}, a
 * side-by-side sheet {@code samples.png} (one row per model, the same noise and condition in each
 * column) and the first meshes of every model. Every row but the baseline is also compared sample
 * by sample with the baseline's samples from the same noise and condition ({@link PairedFidelity},
 * and FD to them on the probe's features): the student-to-teacher figures that need no real data.
 * Without a quality probe only those and speed are measured.
 */
public final class Comparison {
  /** Samples per model shown in the sheet and written as meshes. */
  public static final int SHOWN = 16;

  /** Training seed index of a row that does not depend on the training seed (the teacher). */
  public static final int FIXED = -1;

  /** Distance between evaluation seeds: sample {@code i} of seed {@code s} uses noise s + i. */
  public static final long EVAL_SEED_STRIDE = 1_000_000L;

  /**
   * @param samples generated shapes per model and evaluation seed for the quality metrics
   * @param evalSeeds noise and condition seeds, the same for every model
   * @param batch generation batch size for the quality samples
   * @param latencyRuns runs of a batch of 1 (median taken)
   * @param throughputRuns runs of a batch of 32 (best taken)
   * @param minSpeedSeconds least time each speed measurement runs for, beyond its run count
   * @param bootstrap bootstrap replicates of the intervals
   */
  public record Settings(
      int samples,
      List<Long> evalSeeds,
      int batch,
      int latencyRuns,
      int throughputRuns,
      double minSpeedSeconds,
      String machine,
      int bootstrap) {
    /** One evaluation seed and the default number of bootstrap replicates. */
    public Settings(
        int samples,
        long seed,
        int batch,
        int latencyRuns,
        int throughputRuns,
        double minSpeedSeconds,
        String machine) {
      this(
          samples,
          List.of(seed),
          batch,
          latencyRuns,
          throughputRuns,
          minSpeedSeconds,
          machine,
          Bootstrap.DEFAULT_REPLICATES);
    }

    public Settings {
      evalSeeds = List.copyOf(evalSeeds);
      if (evalSeeds.isEmpty()) {
        throw new IllegalArgumentException("at least one evaluation seed is needed");
      }
    }

    /** {@code count} evaluation seeds from {@code first}, {@link #EVAL_SEED_STRIDE} apart. */
    public static List<Long> evalSeeds(long first, int count) {
      List<Long> seeds = new ArrayList<>();
      for (int e = 0; e < count; e++) {
        seeds.add(first + e * EVAL_SEED_STRIDE);
      }
      return seeds;
    }
  }

  /** What has been measured of one row. */
  private static final class RowState {
    final Contender contender;
    final boolean fixed;
    final QualityProbe.Measurement[][] cells;
    final PairedFidelity.Items[][] paired;
    final double[][] fdToTeacher;
    SpeedProbe.Speed speed;
    int trained;

    RowState(Contender c, boolean fixed, int trainingSeeds, int evalSeeds) {
      this.contender = c;
      this.fixed = fixed;
      this.cells = new QualityProbe.Measurement[fixed ? 1 : trainingSeeds][];
      this.paired = new PairedFidelity.Items[cells.length][];
      this.fdToTeacher = new double[cells.length][];
    }
  }

  private final QualityProbe quality;
  private final Contender baseline;
  private final VoxelBatch[] baselineSamples;
  private final double[][][] baselineFeatures;
  private final Settings s;
  private final Path outDir;
  private final List<Long> trainingSeeds;
  private final int total;
  private final SpeedProbe.Speed base;
  private final Map<String, RowState> rows = new LinkedHashMap<>();
  private final List<String> missing = new ArrayList<>();
  private int done;
  private final List<SampleGrid.Row> grid = new ArrayList<>();

  /**
   * Starts a comparison and measures the baseline's speed.
   *
   * @param trainingSeeds the seeds the students are distilled with (at least one)
   * @param evaluations how many {@link #evaluate} calls will follow (for progress)
   */
  public Comparison(
      Contender baseline,
      QualityProbe quality,
      Settings s,
      List<Long> trainingSeeds,
      Path outDir,
      int evaluations,
      TrainingMonitor monitor) {
    this.quality = quality;
    this.baseline = baseline;
    this.baselineSamples = new VoxelBatch[s.evalSeeds().size()];
    this.baselineFeatures = new double[s.evalSeeds().size()][][];
    this.s = s;
    this.outDir = outDir;
    if (trainingSeeds.isEmpty()) {
      throw new IllegalArgumentException("a comparison needs at least one training seed");
    }
    this.trainingSeeds = List.copyOf(trainingSeeds);
    this.total = evaluations + 1;
    progress(monitor, 0, total);
    this.base =
        SpeedProbe.measure(
            baseline.model(),
            baseline.sampler(),
            s.latencyRuns(),
            s.throughputRuns(),
            s.minSpeedSeconds());
    this.done = 1;
    progress(monitor, done, total);
    rows.put(key(baseline), new RowState(baseline, true, 1, s.evalSeeds().size()));
    rows.get(key(baseline)).speed = base;
  }

  /**
   * One training seed's comparison, as {@code mdt distill} runs it: every row evaluated once.
   *
   * @param trainingSeed the seed the students were distilled with
   */
  public static ComparisonReport run(
      Contender baseline,
      List<Contender> contenders,
      QualityProbe quality,
      Settings s,
      long trainingSeed,
      Path outDir,
      TrainingMonitor monitor)
      throws IOException {
    Comparison c =
        new Comparison(
            baseline, quality, s, List.of(trainingSeed), outDir, contenders.size(), monitor);
    for (Contender contender : contenders) {
      c.evaluate(contender, contender.method().equals("teacher") ? FIXED : 0, monitor);
    }
    return c.finish(List.of());
  }

  private static String key(Contender c) {
    return c.method() + " " + c.sampler().steps();
  }

  /**
   * Samples {@code c} on every evaluation seed and measures it; its speed only the first time its
   * row is seen.
   *
   * @param trainingSeed index into the training seeds, or {@link #FIXED}
   */
  public void evaluate(Contender c, int trainingSeed, TrainingMonitor monitor) throws IOException {
    boolean fixed = trainingSeed == FIXED;
    RowState row =
        rows.computeIfAbsent(
            key(c), k -> new RowState(c, fixed, trainingSeeds.size(), s.evalSeeds().size()));
    if (row.fixed != fixed) {
      throw new IllegalArgumentException(key(c) + " was evaluated both per seed and fixed");
    }
    int k = fixed ? 0 : trainingSeed;
    boolean isBaseline = key(c).equals(key(baseline));
    QualityProbe.Measurement[] cells = new QualityProbe.Measurement[s.evalSeeds().size()];
    PairedFidelity.Items[] paired = new PairedFidelity.Items[cells.length];
    double[] fdToTeacher = new double[cells.length];
    for (int e = 0; e < cells.length; e++) {
      VoxelBatch generated =
          isBaseline
              ? baselineSamples(e)
              : Generation.generate(
                  c.model(), c.sampler(), s.samples(), s.evalSeeds().get(e), s.batch());
      if (quality != null) {
        cells[e] = quality.measureForBootstrap(generated);
        if (isBaseline) {
          baselineFeatures[e] = cells[e].measured().features(); // what other rows are paired with
        }
      }
      if (!isBaseline) {
        paired[e] = PairedFidelity.measure(generated, baselineSamples(e));
        fdToTeacher[e] =
            quality == null
                ? Double.NaN
                : FrechetDistance.compute(cells[e].measured().features(), baselineFeatures(e));
      }
      if (e == 0 && k == 0) {
        writeMeshes(
            generated, outDir.resolve("meshes").resolve(c.method() + "-" + c.sampler().steps()));
        grid.add(SampleGrid.row(c.method(), c.sampler().steps(), generated));
      }
    }
    row.cells[k] = cells;
    if (!isBaseline) {
      row.paired[k] = paired;
      row.fdToTeacher[k] = fdToTeacher;
    }
    row.trained++;
    if (row.speed == null) {
      row.speed =
          SpeedProbe.measure(
              c.model(), c.sampler(), s.latencyRuns(), s.throughputRuns(), s.minSpeedSeconds());
    }
    progress(monitor, ++done, total);
  }

  /** The baseline's samples of evaluation seed {@code e}: what every other row is paired with. */
  private VoxelBatch baselineSamples(int e) {
    if (baselineSamples[e] == null) {
      baselineSamples[e] =
          Generation.generate(
              baseline.model(), baseline.sampler(), s.samples(), s.evalSeeds().get(e), s.batch());
    }
    return baselineSamples[e];
  }

  private double[][] baselineFeatures(int e) {
    if (baselineFeatures[e] == null) {
      baselineFeatures[e] = quality.measureForBootstrap(baselineSamples(e)).measured().features();
    }
    return baselineFeatures[e];
  }

  /** Records that a row has no model for one training seed (its distillation diverged). */
  public void missing(String method, int steps, int trainingSeed, String why) {
    missing.add(method + " " + steps + " " + why + " with seed " + trainingSeeds.get(trainingSeed));
  }

  /** Means, intervals, claims; writes the report, the sheet and returns the report. */
  public ComparisonReport finish(List<Claim> claims) throws IOException {
    ComparisonReport report = new ComparisonReport();
    report.machine = s.machine();
    report.date = Instant.now().toString();
    report.seed = s.evalSeeds().get(0);
    report.samples = s.samples();
    report.trainingSeeds = new ArrayList<>(trainingSeeds);
    report.evalSeeds = new ArrayList<>(s.evalSeeds());
    List<RowState> measured = new ArrayList<>();
    for (RowState row : rows.values()) {
      if (row.speed == null) {
        continue; // a row whose every seed diverged: only in `missing`
      }
      Contender c = row.contender;
      ComparisonReport.Row r = new ComparisonReport.Row();
      r.method = c.method();
      r.steps = c.sampler().steps();
      r.nfe = c.sampler().nfe();
      r.latencyMsBatch1 = row.speed.latencyMsBatch1();
      r.throughputPerSec = row.speed.throughputPerSec();
      r.speedup = base.latencyMsBatch1() / row.speed.latencyMsBatch1();
      r.speedupBatch32 = row.speed.throughputPerSec() / base.throughputPerSec();
      r.trainingSeeds = row.fixed ? null : row.trained;
      List<String> notes =
          missing.stream()
              .filter(m -> m.startsWith(key(c) + " "))
              .map(m -> m.substring(key(c).length() + 1))
              .toList();
      if (!notes.isEmpty()) {
        r.note = String.join("; ", notes);
      }
      report.rows.add(r);
      measured.add(row);
    }
    for (String m : missing) {
      if (rows.values().stream()
          .noneMatch(row -> row.speed != null && m.startsWith(key(row.contender) + " "))) {
        report.note = (report.note == null ? "" : report.note + " ") + "No model: " + m + ".";
      }
    }
    fillPaired(report, measured);
    if (quality != null) {
      report.features = quality.featuresName();
      report.reference.fdRefVsRef = quality.referenceFloor();
      double occupancy = quality.referenceOccupancy();
      report.reference.occupancy = Double.isNaN(occupancy) ? null : occupancy;
      if (quality.referenceFeatures().length
          > 2 * (io.distillery.mdt.eval.FeatureSetMetrics.DEFAULT_K + 1)) {
        report.reference.realVsReal = ComparisonReport.values(quality.realVsReal());
      }
      report.classNames = quality.classNames();
      fillQuality(report, measured, claims);
    }
    Files.createDirectories(outDir);
    report.writeJson(outDir.resolve("report.json"));
    report.writeMarkdown(outDir.resolve("report.md"), "Distillery comparison", null);
    if (!grid.isEmpty()) {
      SampleGrid.write(
          outDir.resolve("samples.png"),
          "Samples by model and class (evaluation seed " + s.evalSeeds().get(0) + ")",
          grid,
          SampleGrid.classNames(
              quality == null ? null : quality.classNames(),
              rows.values().iterator().next().contender.model().numClasses()));
    }
    return report;
  }

  /** The paired figures of every row but the baseline, with their intervals. */
  private void fillPaired(ComparisonReport report, List<RowState> measured) {
    List<PairedIntervals.Row> cells = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < measured.size(); i++) {
      RowState row = measured.get(i);
      if (java.util.Arrays.stream(row.paired).anyMatch(p -> p != null)) {
        cells.add(new PairedIntervals.Row(row.fixed, row.paired));
        at.add(i);
      }
    }
    if (cells.isEmpty()) {
      return;
    }
    Estimate[][] e =
        PairedIntervals.run(cells, trainingSeeds.size(), s.bootstrap(), s.evalSeeds().get(0));
    for (int j = 0; j < at.size(); j++) {
      ComparisonReport.Row r = report.rows.get(at.get(j));
      r.paired = new LinkedHashMap<>();
      for (int f = 0; f < PairedFidelity.FIGURES.size(); f++) {
        if (e[j][f] != null) {
          r.paired.put(PairedFidelity.FIGURES.get(f), e[j][f]);
        }
      }
      double sum = 0;
      int n = 0;
      for (double[] k : measured.get(at.get(j)).fdToTeacher) {
        if (k == null) continue;
        for (double v : k) {
          sum += v;
          n++;
        }
      }
      if (n > 0 && Double.isFinite(sum)) {
        r.fdToTeacher = sum / n;
      }
    }
  }

  private void fillQuality(ComparisonReport report, List<RowState> measured, List<Claim> claims) {
    List<Bootstrap.Row> cells = new ArrayList<>();
    for (RowState row : measured) {
      ShapeEvaluator.Measured[][] m = new ShapeEvaluator.Measured[row.cells.length][];
      for (int k = 0; k < m.length; k++) {
        if (row.cells[k] != null) {
          m[k] = new ShapeEvaluator.Measured[row.cells[k].length];
          for (int e = 0; e < m[k].length; e++) {
            m[k][e] = row.cells[k][e].measured();
          }
        }
      }
      cells.add(new Bootstrap.Row(row.fixed, m));
    }
    Bootstrap.Result b =
        Bootstrap.run(
            quality.referenceFeatures(),
            quality.classifies() ? quality.classNames().size() : 0,
            trainingSeeds.size(),
            s.evalSeeds().size(),
            cells,
            s.bootstrap(),
            s.evalSeeds().get(0));
    report.bootstrapReplicates = s.bootstrap();
    report.intervals =
        "95% intervals by a paired two-level bootstrap over training seeds and evaluation samples"
            + " ("
            + s.bootstrap()
            + " replicates, EVALUATION.md)";
    if (trainingSeeds.size() == 1) {
      report.note =
          (report.note == null ? "" : report.note + " ")
              + "One training seed only: the intervals cover evaluation sampling noise, not"
              + " seed-to-seed variation of the distillation (mdt bench uses 3 seeds).";
    }
    for (int i = 0; i < measured.size(); i++) {
      ComparisonReport.Row r = report.rows.get(i);
      RowState row = measured.get(i);
      r.ci = new LinkedHashMap<>();
      for (int m = 0; m < Bootstrap.METRICS.size(); m++) {
        r.ci.put(Bootstrap.METRICS.get(m), b.metric(i, m));
      }
      if (!quality.classifies()) {
        r.ci.remove("classAccuracy");
      }
      r.fd = r.ci.get("fd").mean();
      r.classAccuracy = quality.classifies() ? r.ci.get("classAccuracy").mean() : null;
      r.precision = r.ci.get("precision").mean();
      r.recall = r.ci.get("recall").mean();
      r.density = r.ci.get("density").mean();
      r.coverage = r.ci.get("coverage").mean();
      r.mmd = r.ci.get("mmd").mean();
      r.cov = r.ci.get("cov").mean();
      r.nna = r.ci.get("nna").mean();
      r.perClassAccuracy = quality.classifies() ? new LinkedHashMap<>() : null;
      for (int c = 0; quality.classifies() && c < quality.classNames().size(); c++) {
        Estimate e = b.classAccuracy(i, c);
        if (Double.isFinite(e.mean())) {
          r.perClassAccuracy.put(quality.classNames().get(c), e);
        }
      }
      double occ = 0;
      int n = 0;
      for (QualityProbe.Measurement[] k : row.cells) {
        if (k == null) continue;
        for (QualityProbe.Measurement cell : k) {
          occ += cell.occupancy();
          n++;
        }
      }
      r.occupancy = Double.isFinite(occ / n) ? occ / n : null;
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < report.rows.size(); i++) {
      index.put(report.rows.get(i).name(), i);
    }
    for (Claim claim : claims) {
      Claim c = Claim.of(claim.text, claim.kind, claim.a, claim.b, claim.threshold);
      Integer a = index.get(c.a);
      Integer o = index.get(c.b);
      if (a == null || o == null) {
        String row = a == null ? c.a : c.b;
        c.why =
            "no "
                + row
                + " row: "
                + missing.stream()
                    .filter(m -> m.startsWith(row + " "))
                    .map(m -> m.substring(row.length() + 1))
                    .reduce((x, y) -> x + "; " + y)
                    .orElse("not evaluated");
      } else {
        c.estimate =
            c.kind == Claim.Kind.FD_RATIO_BELOW
                ? b.statistic(v -> v[a][0] / v[o][0])
                : b.statistic(v -> v[a][1] - v[o][1]);
      }
      c.judge();
      report.claims.add(c);
    }
  }

  private static void writeMeshes(VoxelBatch generated, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (int k = 0; k < Math.min(4, generated.count()); k++) {
      var mesh =
          MeshWriter.write(
              generated.occupancy(k), generated.resolution(), dir.resolve("sample-" + k + ".ply"));
      MeshWriter.writeObj(mesh, dir.resolve("sample-" + k + ".obj"));
      Files.write(
          dir.resolve("sample-" + k + ".glb"), GlbWriter.encode(mesh, generated.resolution()));
    }
  }

  private static void progress(TrainingMonitor monitor, int done, int total) {
    TrainerProgress p = new TrainerProgress();
    p.phase = "evaluating";
    p.step = done;
    p.maxSteps = total;
    p.percent = 100.0 * done / total;
    p.updatedAtMillis = System.currentTimeMillis();
    monitor.update(p);
  }
}
