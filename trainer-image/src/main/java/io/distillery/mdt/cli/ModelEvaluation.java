package io.distillery.mdt.cli;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.Bootstrap;
import io.distillery.mdt.bench.Estimate;
import io.distillery.mdt.bench.QualityProbe;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.eval.ShapeEvaluator;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.flow.SeededSampling;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.VelocityModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mdt evaluate} for one model: samples {@code evaluation.samples} shapes (classes in turn,
 * seeds from {@code evaluation.seed}) and compares them with the held-out split ({@link
 * ShapeEvaluator}, the first {@code evaluation.samples} held-out shapes as reference): Frechet
 * distance on the classifier's features next to the distance between two held-out halves (the
 * floor), class accuracy, precision / recall / density / coverage and MMD / COV / 1-NNA on the
 * classifier's features, each with a 95% bootstrap interval over this run's samples, network
 * evaluations per sample, latency at batch 1 and throughput at batch 32. Writes {@code report.json}
 * and {@code report.md}.
 */
public final class ModelEvaluation {
  static final int THROUGHPUT_BATCH = 32;

  private ModelEvaluation() {}

  /**
   * {@code null} steps/cfg/rescaleT take the model's defaults; {@code null} classifier = shipped.
   */
  public record Request(
      Path model,
      TrainerConfig cfg,
      Integer steps,
      Double cfgStrength,
      Double rescaleT,
      Path classifier,
      Path out,
      Device device) {}

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
      Map<String, Estimate> ci) {}

  public record Report(
      String machine,
      String date,
      long seed,
      int samples,
      Map<String, Double> reference,
      List<Row> rows,
      Path dir) {}

  public static Report run(Request req) throws IOException {
    TrainerConfig cfg = req.cfg();
    LoadedDataset held = DatasetLoader.load(cfg.dataset, BuiltinShapes.Split.HELD_OUT);
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
      VoxelBatch generated =
          SeededSampling.sample(
              model, s, labels, cfg.evaluation.seed, SeededSampling.DEFAULT_BATCH);
      // Reference = the first n held-out shapes, the floor two halves of the first 2n: every FD
      // compares sets of the same size (FD's bias depends on it).
      QualityProbe probe = new QualityProbe(classifier, held.batch(), n);
      QualityProbe.Measurement m = probe.measureForBootstrap(generated);
      ShapeEvaluator.Quality q = m.measured().quality(probe.referenceFeatures());
      double floor = probe.referenceFloor();
      Map<String, Estimate> ci = intervals(probe, m, cfg.evaluation.seed);
      double latency = latencyMs(model, s);
      double throughput = throughput(model, s);
      Row row =
          new Row(
              method(card),
              loaded.artifact().digest(),
              s.steps(),
              s.cfgStrength(),
              q.fd(),
              q.classAccuracy(),
              q.precision(),
              q.recall(),
              q.density(),
              q.coverage(),
              q.mmd(),
              q.cov(),
              q.nna(),
              s.nfe(),
              latency,
              throughput,
              ci);
      Report report =
          new Report(
              machine(req.device()),
              Instant.now().toString(),
              cfg.evaluation.seed,
              n,
              Map.of("fdRefVsRef", floor),
              List.of(row),
              req.out().toAbsolutePath());
      write(report, req.out());
      return report;
    }
  }

  /** 95% intervals over the samples of this one run ({@link Bootstrap} with one seed). */
  private static Map<String, Estimate> intervals(
      QualityProbe probe, QualityProbe.Measurement m, long seed) {
    Bootstrap.Result b =
        Bootstrap.run(
            probe.referenceFeatures(),
            probe.classNames().size(),
            1,
            1,
            List.of(new Bootstrap.Row(true, new ShapeEvaluator.Measured[][] {{m.measured()}})),
            Bootstrap.DEFAULT_REPLICATES,
            seed);
    Map<String, Estimate> ci = new LinkedHashMap<>();
    for (int k = 0; k < Bootstrap.METRICS.size(); k++) {
      ci.put(Bootstrap.METRICS.get(k), b.metric(0, k));
    }
    return ci;
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
    json.put("samples", report.samples());
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
    md.append(
        String.format(
            Locale.ROOT,
            "%nValues: estimate [95%% interval over this run's samples, bootstrap]; every quality"
                + " metric on the shipped classifier's features (EVALUATION.md). FD between two"
                + " held-out halves (the floor): %.2f. %d samples, seed %d, %s, %s.%n",
            report.reference().get("fdRefVsRef"),
            report.samples(),
            report.seed(),
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
