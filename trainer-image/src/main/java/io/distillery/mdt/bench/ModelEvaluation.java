package io.distillery.mdt.bench;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
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
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.SampleShapes;
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
 * and {@code report.md}. A two-stage pipeline is evaluated through its thresholded structures and
 * gets a pipeline section ({@link PipelineEvaluation}).
 */
public final class ModelEvaluation {
  static final int THROUGHPUT_BATCH = 32;

  private ModelEvaluation() {}

  /**
   * {@code null} steps/cfg/rescaleT take the model's defaults; {@code null} classifier = shipped.
   *
   * @param evalSeeds evaluation seeds, at least 1: {@code evaluation.seed} and the next ones,
   *     {@link Comparison#EVAL_SEED_STRIDE} apart, each with {@code evaluation.samples} shapes
   * @param appearanceSteps a pipeline's appearance stage: sampler steps (null: its card's)
   * @param appearanceCfg a pipeline's appearance stage: CFG strength (null: its card's)
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
      int evalSeeds,
      Integer appearanceSteps,
      Double appearanceCfg) {
    public Request {
      if (evalSeeds < 1) {
        throw new InvalidConfigException("--eval-seeds: must be at least 1, got " + evalSeeds);
      }
    }

    /** A request with a pipeline's appearance stage at its own defaults. */
    public Request(
        Path model,
        TrainerConfig cfg,
        Integer steps,
        Double cfgStrength,
        Double rescaleT,
        Path classifier,
        Path out,
        Device device,
        int evalSeeds) {
      this(
          model, cfg, steps, cfgStrength, rescaleT, classifier, out, device, evalSeeds, null, null);
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
      Path dir,
      PipelineEvaluation.Figures pipeline) {}

  /**
   * What is evaluated: a single structure model, or a pipeline whose thresholded structures are
   * scored like one ({@link PipelineEvaluation}).
   */
  interface Subject {
    /** The (structure) model's card: classes, method. */
    ModelCard card();

    String digest();

    /** The (structure) sampler. */
    SamplerSettings sampler();

    int resolution();

    /** The shapes the classifier scores for one evaluation seed. */
    VoxelBatch sample(int[] labels, long seed);

    double latencyMs();

    double throughput();

    /** The pipeline section of the report, or null for a single model. */
    PipelineEvaluation.Figures pipeline(long seed);
  }

  /** A single structure model. */
  private record SingleModel(
      ModelCard card, String digest, SamplerSettings sampler, VelocityModel model)
      implements Subject {
    @Override
    public int resolution() {
      return (int) model.sampleShape().get(1);
    }

    @Override
    public VoxelBatch sample(int[] labels, long seed) {
      return SeededSampling.sample(model, sampler, labels, seed, SeededSampling.DEFAULT_BATCH);
    }

    @Override
    public double latencyMs() {
      return ModelEvaluation.latencyMs(
          labels -> SeededSampling.sample(model, sampler, labels, 1_000_000L, 1));
    }

    @Override
    public double throughput() {
      return ModelEvaluation.throughput(
          labels -> SeededSampling.sample(model, sampler, labels, 2_000_000L, THROUGHPUT_BATCH));
    }

    @Override
    public PipelineEvaluation.Figures pipeline(long seed) {
      return null;
    }
  }

  public static Report run(Request req) throws IOException {
    Artifact artifact = Artifact.open(req.model());
    if (Pipelines.isPipeline(artifact)) {
      return PipelineEvaluation.run(req, Pipelines.open(artifact));
    }
    SampleShapes.requireStructureModel(
        artifact,
        req.model(),
        req.appearanceSteps() != null || req.appearanceCfg() != null,
        "evaluate");
    try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact, req.device())) {
      ModelCard card = loaded.card();
      return evaluate(
          req,
          new SingleModel(
              card,
              loaded.artifact().digest(),
              settings(card.sampler(), req.steps(), req.cfgStrength(), req.rescaleT()),
              loaded.model()));
    }
  }

  /** The evaluation of {@code subject}'s (structure) samples, and its pipeline section if any. */
  static Report evaluate(Request req, Subject subject) throws IOException {
    TrainerConfig cfg = req.cfg();
    LoadedDataset held = DatasetLoader.load(cfg, BuiltinShapes.Split.HELD_OUT);
    try (ShapeClassifier classifier =
        req.classifier() == null
            ? ShapeClassifier.loadShipped()
            : ShapeClassifier.load(req.classifier())) {
      ModelCard card = subject.card();
      SamplerSettings s = subject.sampler();
      if (held.batch().resolution() != subject.resolution()) {
        throw new BadInputException(
            "held-out data is "
                + held.batch().resolution()
                + "^3 but the model makes "
                + subject.resolution()
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
        VoxelBatch generated = subject.sample(labels, seeds.get(e));
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
      double latency = subject.latencyMs();
      double throughput = subject.throughput();
      Row row =
          new Row(
              method(card),
              subject.digest(),
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
              req.out().toAbsolutePath(),
              subject.pipeline(cfg.evaluation.seed));
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

  static SamplerSettings settings(
      SamplerSettings d, Integer steps, Double cfgStrength, Double rescaleT) {
    try {
      return new SamplerSettings(
          steps == null ? d.steps() : steps,
          cfgStrength == null ? d.cfgStrength() : cfgStrength,
          rescaleT == null ? d.rescaleT() : rescaleT);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
  }

  private static String method(ModelCard card) {
    Object m = card.training() == null ? null : card.training().get("method");
    return m != null ? m.toString() : card.role();
  }

  /** Median of three single-shape runs of {@code one} (given labels {0}) after one warm-up. */
  static double latencyMs(java.util.function.Consumer<int[]> one) {
    double[] t = new double[4];
    for (int i = 0; i < t.length; i++) {
      long began = System.nanoTime();
      one.accept(new int[] {0});
      t[i] = (System.nanoTime() - began) / 1e6;
    }
    double[] timed = Arrays.copyOfRange(t, 1, 4);
    Arrays.sort(timed);
    return timed[1];
  }

  /** Shapes per second of one run of {@code batch} on {@link #THROUGHPUT_BATCH} labels 0. */
  static double throughput(java.util.function.Consumer<int[]> batch) {
    int[] labels = new int[THROUGHPUT_BATCH];
    long began = System.nanoTime();
    batch.accept(labels);
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
    if (report.pipeline() != null) {
      json.put("pipeline", report.pipeline());
    }
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
    if (report.pipeline() != null) {
      md.append(report.pipeline().markdown());
    }
    atomicWrite(dir.resolve("report.md"), md.toString());
  }

  private static void atomicWrite(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
