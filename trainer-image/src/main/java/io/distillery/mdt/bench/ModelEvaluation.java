package io.distillery.mdt.bench;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.FrechetDistance;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.eval.ShapeEvaluator;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.SeededSampling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mdt evaluate} for one model: samples {@code evaluation.samples} shapes (classes in turn)
 * for each evaluation seed ({@code evaluation.seed} and the next ones, {@link
 * Comparison#EVAL_SEED_STRIDE} apart, as {@code mdt bench}) and compares them with the held-out
 * split ({@link ShapeEvaluator}, the first {@code evaluation.samples} held-out shapes as
 * reference): Frechet distance on the classifier's features next to the distance between two
 * held-out halves (the floor), class accuracy, precision / recall / density / coverage and MMD /
 * COV / 1-NNA on the classifier's features, each the mean over the evaluation seeds with a 95%
 * interval from {@link Bootstrap} over every seed's samples, per-class accuracy over the pooled
 * samples with a Wilson interval ({@link #wilson}), each seed's FD and accuracy, network
 * evaluations per sample, latency at batch 1 and throughput at batch 32. Writes {@code report.json}
 * and {@code report.md}.
 */
public final class ModelEvaluation {
  static final int THROUGHPUT_BATCH = 32;

  private ModelEvaluation() {}

  /**
   * {@code null} steps/cfg/rescaleT take the model's defaults; {@code null} classifier = shipped.
   *
   * @param evalSeeds evaluation seeds, at least 1: {@code evaluation.seed} and the next ones,
   *     {@link Comparison#EVAL_SEED_STRIDE} apart, each with {@code evaluation.samples} shapes
   */
  public record Request(
      Path model,
      TrainerConfig cfg,
      Integer steps,
      Double cfgStrength,
      Double rescaleT,
      Path classifier,
      Path out,
      Device device,
      int evalSeeds) {
    public Request {
      if (evalSeeds < 1) {
        throw new InvalidConfigException("--eval-seeds: must be at least 1, got " + evalSeeds);
      }
    }
  }

  /** FD and class accuracy of one evaluation seed's full sample set (no interval). */
  public record SeedResult(long seed, int samples, double fd, double classAccuracy) {}

  /** One evaluated model (the keys of issue 4's report rows). */
  public record Row(
      String method,
      String digest,
      int steps,
      double cfgStrength,
      double fd,
      double classAccuracy,
      double precision,
      double recall,
      double density,
      double coverage,
      double mmd,
      double cov,
      double nna,
      int nfe,
      double latencyMsBatch1,
      double throughputPerSec,
      Map<String, Estimate> ci,
      Map<String, Estimate> perClassAccuracy,
      List<SeedResult> perSeed) {}

  /**
   * @param seed the first evaluation seed
   * @param samples generated shapes per evaluation seed
   * @param evaluatedSamples generated shapes over all evaluation seeds
   * @param classSamples generated shapes per class over all evaluation seeds
   */
  public record Report(
      String machine,
      String date,
      long seed,
      List<Long> evalSeeds,
      int samples,
      int evaluatedSamples,
      int bootstrapReplicates,
      Map<String, Integer> classSamples,
      Map<String, Double> reference,
      List<Row> rows,
      Path dir) {}

  public static Report run(Request req) throws IOException {
    TrainerConfig cfg = req.cfg();
    LoadedDataset held = DatasetLoader.load(cfg, BuiltinShapes.Split.HELD_OUT);
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(req.model(), req.device());
        ShapeClassifier classifier =
            req.classifier() == null
                ? ShapeClassifier.loadShipped()
                : ShapeClassifier.load(req.classifier())) {
      ModelCard card = loaded.card();
      SamplerSettings s = settings(card.sampler(), req);
      VelocityModel model = loaded.model();
      if (held.batch().resolution() != model.sampleShape().get(1)) {
        throw new BadInputException(
            "held-out data is "
                + held.batch().resolution()
                + "^3 but the model makes "
                + model.sampleShape().get(1)
                + "^3 grids");
      }
      int n = cfg.evaluation.samples;
      QualityProbe.checkSampleCount(n, card.classNames().size(), "--samples (evaluation.samples)");
      int[] labels = new int[n];
      for (int j = 0; j < n; j++) {
        labels[j] = j % card.classNames().size();
      }
      // Reference = the first n held-out shapes, the floor two halves of the first 2n: every FD
      // compares sets of the same size (FD's bias depends on it), one evaluation seed at a time.
      QualityProbe probe = new QualityProbe(classifier, held.batch(), n);
      List<Long> seeds = Comparison.Settings.evalSeeds(cfg.evaluation.seed, req.evalSeeds());
      ShapeEvaluator.Measured[] cells = new ShapeEvaluator.Measured[seeds.size()];
      List<SeedResult> perSeed = new ArrayList<>();
      for (int e = 0; e < seeds.size(); e++) {
        VoxelBatch generated =
            SeededSampling.sample(model, s, labels, seeds.get(e), SeededSampling.DEFAULT_BATCH);
        cells[e] = probe.measureForBootstrap(generated).measured();
        perSeed.add(
            new SeedResult(
                seeds.get(e),
                n,
                FrechetDistance.compute(cells[e].features(), probe.referenceFeatures()),
                cells[e].accuracy()));
      }
      double floor = probe.referenceFloor();
      List<String> classes = probe.classNames();
      Bootstrap.Result b = bootstrap(probe, cells, cfg.evaluation.seed);
      Map<String, Estimate> ci = new LinkedHashMap<>();
      for (int k = 0; k < Bootstrap.METRICS.size(); k++) {
        ci.put(Bootstrap.METRICS.get(k), b.metric(0, k));
      }
      Map<String, Estimate> perClass = new LinkedHashMap<>();
      Map<String, Integer> classSamples = new LinkedHashMap<>();
      int[] classCount = new int[classes.size()];
      int[] classCorrect = new int[classes.size()];
      for (ShapeEvaluator.Measured cell : cells) {
        for (int i = 0; i < cell.labels().length; i++) {
          int c = cell.labels()[i];
          if (c < 0 || c >= classes.size()) continue;
          classCount[c]++;
          classCorrect[c] += cell.correct(i) ? 1 : 0;
        }
      }
      for (int c = 0; c < classes.size(); c++) {
        classSamples.put(classes.get(c), classCount[c]);
        perClass.put(classes.get(c), wilson(classCorrect[c], classCount[c]));
      }
      double latency = latencyMs(model, s);
      double throughput = throughput(model, s);
      Row row =
          new Row(
              method(card),
              loaded.artifact().digest(),
              s.steps(),
              s.cfgStrength(),
              ci.get("fd").mean(),
              ci.get("classAccuracy").mean(),
              ci.get("precision").mean(),
              ci.get("recall").mean(),
              ci.get("density").mean(),
              ci.get("coverage").mean(),
              ci.get("mmd").mean(),
              ci.get("cov").mean(),
              ci.get("nna").mean(),
              s.nfe(),
              latency,
              throughput,
              ci,
              perClass,
              List.copyOf(perSeed));
      Report report =
          new Report(
              machine(req.device()),
              Instant.now().toString(),
              cfg.evaluation.seed,
              seeds,
              n,
              n * seeds.size(),
              Bootstrap.DEFAULT_REPLICATES,
              classSamples,
              Map.of("fdRefVsRef", floor),
              List.of(row),
              req.out().toAbsolutePath());
      write(report, req.out());
      return report;
    }
  }

  /**
   * Estimates (means over the evaluation seeds of each seed's full-set metric) and 95% intervals
   * ({@link Bootstrap}: one training seed, one row, each evaluation seed's samples and the
   * reference resampled in every replicate).
   */
  private static Bootstrap.Result bootstrap(
      QualityProbe probe, ShapeEvaluator.Measured[] cells, long seed) {
    return Bootstrap.run(
        probe.referenceFeatures(),
        probe.classNames().size(),
        1,
        cells.length,
        List.of(new Bootstrap.Row(true, new ShapeEvaluator.Measured[][] {cells})),
        Bootstrap.DEFAULT_REPLICATES,
        seed);
  }

  /**
   * Share {@code correct / n} with its 95% Wilson score interval: a class's accuracy over its
   * pooled samples (every evaluation seed's), which are independent draws. Unlike a percentile
   * bootstrap it stays inside [0, 1] and does not collapse to [1, 1] when every sample is right
   * (128 of 128: [0.971, 1]).
   */
  public static Estimate wilson(int correct, int n) {
    if (n == 0) return new Estimate(Double.NaN, Double.NaN, Double.NaN);
    double z = 1.959963984540054;
    double p = (double) correct / n;
    double z2n = z * z / n;
    double centre = (p + z2n / 2) / (1 + z2n);
    double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n);
    return new Estimate(p, Math.max(0, centre - half), Math.min(1, centre + half));
  }

  private static SamplerSettings settings(SamplerSettings d, Request req) {
    try {
      return new SamplerSettings(
          req.steps() == null ? d.steps() : req.steps(),
          req.cfgStrength() == null ? d.cfgStrength() : req.cfgStrength(),
          req.rescaleT() == null ? d.rescaleT() : req.rescaleT());
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
  }

  private static String method(ModelCard card) {
    Object m = card.training() == null ? null : card.training().get("method");
    return m != null ? m.toString() : card.role();
  }

  /** Median of three single-shape samplings after one warm-up. */
  private static double latencyMs(VelocityModel model, SamplerSettings s) {
    double[] t = new double[4];
    for (int i = 0; i < t.length; i++) {
      long began = System.nanoTime();
      SeededSampling.sample(model, s, new int[] {0}, 1_000_000L + i, 1);
      t[i] = (System.nanoTime() - began) / 1e6;
    }
    double[] timed = Arrays.copyOfRange(t, 1, 4);
    Arrays.sort(timed);
    return timed[1];
  }

  private static double throughput(VelocityModel model, SamplerSettings s) {
    int[] labels = new int[THROUGHPUT_BATCH];
    long began = System.nanoTime();
    SeededSampling.sample(model, s, labels, 2_000_000L, THROUGHPUT_BATCH);
    return THROUGHPUT_BATCH / ((System.nanoTime() - began) / 1e9);
  }

  static String machine(Device device) {
    return String.format(
        "%s %s, %d cores, %d MiB max heap, device %s",
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        device);
  }

  /** report.json and report.md, each written to a temporary file and renamed into place. */
  private static void write(Report report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", report.machine());
    json.put("date", report.date());
    json.put("seed", report.seed());
    json.put("evalSeeds", report.evalSeeds());
    json.put("samples", report.samples());
    json.put("evaluatedSamples", report.evaluatedSamples());
    json.put("bootstrapReplicates", report.bootstrapReplicates());
    json.put("classSamples", report.classSamples());
    json.put("reference", report.reference());
    json.put("rows", report.rows());
    atomicWrite(
        dir.resolve("report.json"),
        io.distillery.config.TrainerConfigs.json().writeValueAsString(json));
    StringBuilder md = new StringBuilder();
    md.append(
        "| method | steps | cfg | FD | class acc. | precision | recall | density | coverage | MMD |"
            + " COV | 1-NNA | NFE | latency b1 (ms) | throughput b32 (/s) |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : report.rows()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %.1f | %.2f |%n",
              r.method(),
              r.steps(),
              r.cfgStrength(),
              r.ci().get("fd").format("%.2f"),
              r.ci().get("classAccuracy").format("%.3f"),
              r.ci().get("precision").format("%.3f"),
              r.ci().get("recall").format("%.3f"),
              r.ci().get("density").format("%.3f"),
              r.ci().get("coverage").format("%.3f"),
              r.ci().get("mmd").format("%.3f"),
              r.ci().get("cov").format("%.3f"),
              r.ci().get("nna").format("%.3f"),
              r.nfe(),
              r.latencyMsBatch1(),
              r.throughputPerSec()));
    }
    Row first = report.rows().get(0);
    md.append("\n| class | samples | class acc. (Wilson) |\n|---|---|---|\n");
    for (Map.Entry<String, Estimate> e : first.perClassAccuracy().entrySet()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s |%n",
              e.getKey(),
              report.classSamples().get(e.getKey()),
              e.getValue().format("%.3f")));
    }
    if (first.perSeed().size() > 1) {
      md.append("\n| evaluation seed | samples | FD | class acc. |\n|---|---|---|---|\n");
      for (SeedResult sr : first.perSeed()) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %d | %.2f | %.3f |%n",
                sr.seed(),
                sr.samples(),
                sr.fd(),
                sr.classAccuracy()));
      }
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nValues: estimate [95%% interval, bootstrap over every evaluation seed's samples and"
                + " the reference]: each metric is the mean over the evaluation seeds of that"
                + " seed's full-set value; every quality metric on the shipped classifier's"
                + " features (EVALUATION.md); per-class accuracy: share of the class's samples over"
                + " every seed [95%% Wilson interval]. FD between two held-out halves (the floor,"
                + " same n):"
                + " %.2f. %d samples on each of %d evaluation seeds %s (%d in all), %s, %s.%n",
            report.reference().get("fdRefVsRef"),
            report.samples(),
            report.evalSeeds().size(),
            report.evalSeeds(),
            report.evaluatedSamples(),
            report.machine(),
            report.date()));
    atomicWrite(dir.resolve("report.md"), md.toString());
  }

  private static void atomicWrite(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
