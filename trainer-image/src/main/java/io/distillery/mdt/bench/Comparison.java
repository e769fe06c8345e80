package io.distillery.mdt.bench;

import io.distillery.config.TrainerProgress;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.render.MeshWriter;
import io.distillery.mdt.render.PreviewRenderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark protocol of DESIGN.md section 6 over a list of models in one process: the same
 * seeds and conditions for every model, quality against held-out shapes, speed measured here and
 * now, speedups as ratios to the baseline (the 25-step guided teacher). Writes {@code report.json},
 * {@code report.md}, a side-by-side sheet {@code samples.png} (one row per model, the same noise
 * and condition in each column) and the first meshes of every model. Without a quality probe (data
 * other than the built-in shapes) only speed is measured.
 */
public final class Comparison {
  /** Samples per model shown in the sheet and written as meshes. */
  public static final int SHOWN = 16;

  /**
   * @param samples generated shapes per model for the quality metrics
   * @param seed noise and condition seed, the same for every model
   * @param batch generation batch size for the quality samples
   * @param latencyRuns runs of a batch of 1 (median taken)
   * @param throughputRuns runs of a batch of 32 (best taken)
   * @param minSpeedSeconds least time each speed measurement runs for, beyond its run count
   */
  public record Settings(
      int samples,
      long seed,
      int batch,
      int latencyRuns,
      int throughputRuns,
      double minSpeedSeconds,
      String machine) {}

  private Comparison() {}

  public static ComparisonReport run(
      Contender baseline,
      List<Contender> contenders,
      QualityProbe quality,
      Settings s,
      Path outDir,
      TrainingMonitor monitor)
      throws IOException {
    ComparisonReport report = new ComparisonReport();
    report.machine = s.machine();
    report.date = Instant.now().toString();
    report.seed = s.seed();
    report.samples = s.samples();
    if (quality != null) {
      report.reference.fdRefVsRef = quality.referenceFloor();
      report.reference.occupancy = quality.referenceOccupancy();
    }
    int total = contenders.size() + 1;
    progress(monitor, 0, total);
    SpeedProbe.Speed base =
        SpeedProbe.measure(
            baseline.model(),
            baseline.sampler(),
            s.latencyRuns(),
            s.throughputRuns(),
            s.minSpeedSeconds());
    progress(monitor, 1, total);
    List<float[]> sheet = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    int resolution = 0;
    for (int i = 0; i < contenders.size(); i++) {
      Contender c = contenders.get(i);
      VoxelBatch generated =
          Generation.generate(c.model(), c.sampler(), s.samples(), s.seed(), s.batch());
      resolution = generated.resolution();
      ComparisonReport.Row row = new ComparisonReport.Row();
      row.method = c.method();
      row.steps = c.sampler().steps();
      row.nfe = c.sampler().nfe();
      if (quality != null) {
        QualityProbe.Quality q = quality.measure(generated);
        row.fd = q.fd();
        row.classAccuracy = q.classAccuracy();
        row.mmd = q.mmd();
        row.cov = q.cov();
        row.nna = q.nna();
        row.occupancy = q.occupancy();
      }
      SpeedProbe.Speed speed =
          c == baseline
              ? base
              : SpeedProbe.measure(
                  c.model(), c.sampler(), s.latencyRuns(), s.throughputRuns(), s.minSpeedSeconds());
      row.latencyMsBatch1 = speed.latencyMsBatch1();
      row.throughputPerSec = speed.throughputPerSec();
      row.speedup = base.latencyMsBatch1() / speed.latencyMsBatch1();
      row.speedupBatch32 = speed.throughputPerSec() / base.throughputPerSec();
      report.rows.add(row);
      writeMeshes(generated, outDir.resolve("meshes").resolve(c.method() + "-" + row.steps));
      for (int k = 0; k < Math.min(SHOWN, generated.count()); k++) {
        sheet.add(generated.occupancy(k));
        labels.add(k == 0 ? c.name() : "");
      }
      progress(monitor, i + 2, total);
    }
    Files.createDirectories(outDir);
    report.writeJson(outDir.resolve("report.json"));
    report.writeMarkdown(outDir.resolve("report.md"), "Distillery comparison", null);
    if (!sheet.isEmpty()) {
      PreviewRenderer.writePng(
          PreviewRenderer.sheet(sheet, resolution, labels, SHOWN, 96),
          outDir.resolve("samples.png"));
    }
    return report;
  }

  private static void writeMeshes(VoxelBatch generated, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (int k = 0; k < Math.min(4, generated.count()); k++) {
      var mesh =
          MeshWriter.write(
              generated.occupancy(k), generated.resolution(), dir.resolve("sample-" + k + ".ply"));
      MeshWriter.writeObj(mesh, dir.resolve("sample-" + k + ".obj"));
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
