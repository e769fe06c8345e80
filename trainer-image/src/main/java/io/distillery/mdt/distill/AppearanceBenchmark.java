package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.AppearanceComparison;
import io.distillery.mdt.bench.Claim;
import io.distillery.mdt.bench.Contender;
import io.distillery.mdt.bench.Estimate;
import io.distillery.mdt.bench.SpeedProbe;
import io.distillery.mdt.data.AppearanceBatch;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.progress.ConsoleProgress;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.TrainingDivergedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mdt bench} on the appearance stage (docs/algorithm.md section 9): distill the appearance
 * teacher with CM and with MDT for every training seed, compare the teacher at its reference, 2 and
 * 1 steps and every student at 1 and 2 steps on the same held-out structures and seeds ({@link
 * AppearanceComparison}), and judge the claims: MDT's 1-step error below CM's, within 1.2x of the
 * teacher's, and the end-to-end speedups of the two-stage chain.
 *
 * <p>The chain's latency is the sum of the stages' measured batch-1 latencies (thresholding the
 * structure between them takes microseconds). The structure stage is timed with the structure
 * teacher's own network: at its reference sampler, and without guidance at 1 and 2 steps, which is
 * what its distilled student costs (a student is a copy of the teacher's network).
 */
public final class AppearanceBenchmark {
  private AppearanceBenchmark() {}

  public record Outcome(AppearanceComparison.Report report, List<Claim> claims, String markdown) {}

  public static Outcome run(
      TrainerConfig cfg,
      VelocityModel structureTeacher,
      TrainerConfig.Sampler structureSampler,
      Device device,
      Path outDir,
      Map<String, Object> provenance,
      DistillationBenchmark.Options o)
      throws IOException {
    Files.createDirectories(outDir);
    try (Teacher teacher = Teacher.load(cfg, device)) {
      LoadedDataset train = DatasetLoader.load(cfg, BuiltinShapes.Split.TRAIN);
      AppearanceBatch truth = AppearanceEvaluation.groundTruth(cfg);
      TrainerConfig.Sampler ts = cfg.teacher.sampler;
      Contender baseline = Contender.teacher(teacher.model(), ts, ts.steps);
      List<Contender> rows = new ArrayList<>();
      rows.add(Contender.teacher(teacher.model(), ts, 2));
      rows.add(Contender.teacher(teacher.model(), ts, 1));
      List<ModelArtifacts.Loaded> students = new ArrayList<>();
      try {
        for (int k = 0; k < o.seeds(); k++) {
          long seed = cfg.hyperparameters.seed + k;
          for (DistillationBenchmark.Variant v : DistillationBenchmark.variants(false)) {
            String id = v.name() + (k == 0 ? "" : "-seed" + seed);
            TrainerConfig c =
                DistillationBenchmark.copyWith(
                    cfg, v, seed, outDir.resolve("students").resolve(id));
            StudentDistillation.Result r;
            try (TrainingMonitor monitor =
                ConsoleProgress.forTerminal("distill " + v.name() + " seed " + seed)) {
              r =
                  StudentDistillation.run(
                      c, teacher, train, monitor, provenance, StudentDistillation.Evaluator.none());
            } catch (TrainingDivergedException e) {
              System.err.println(
                  "note: " + v.name() + " seed " + seed + " diverged: " + e.getMessage());
              continue;
            }
            ModelArtifacts.Loaded student = ModelArtifacts.load(r.artifact(), device);
            students.add(student);
            rows.addAll(
                Contender.student(v.name(), student.model(), DistillationBenchmark.STUDENT_STEPS));
          }
        }
        List<Long> evalSeeds = new ArrayList<>();
        for (int e = 0; e < o.evalSeeds(); e++) {
          evalSeeds.add(cfg.evaluation.seed + 1_000_000L * e);
        }
        AppearanceComparison.Report report =
            AppearanceComparison.run(
                baseline,
                rows,
                truth,
                new AppearanceComparison.Settings(
                    cfg.evaluation.samples, evalSeeds, o.bootstrap(), 9));
        List<Claim> claims =
            claims(report, ts.steps, chainSpeedups(report, structureTeacher, structureSampler), o);
        return new Outcome(report, claims, markdown(report, claims));
      } finally {
        students.forEach(ModelArtifacts.Loaded::close);
      }
    }
  }

  /**
   * End-to-end speedups of the chain at 1 x 2 and 2 x 2 steps over the reference samplers of both
   * stages: {@code (structure_ref + appearance_ref) / (structure_n + mdt_n)}.
   */
  static double[] chainSpeedups(
      AppearanceComparison.Report report,
      VelocityModel structureTeacher,
      TrainerConfig.Sampler structureSampler) {
    double structureRef =
        SpeedProbe.measure(
                structureTeacher,
                new SamplerSettings(
                    structureSampler.steps,
                    structureSampler.cfgStrength,
                    structureSampler.rescaleT),
                5,
                1,
                1.0)
            .latencyMsBatch1();
    double appearanceRef = report.rows().get(0).latencyMsBatch1();
    double[] out = new double[2];
    for (int steps = 1; steps <= 2; steps++) {
      double structure =
          SpeedProbe.measure(structureTeacher, SamplerSettings.student(steps), 5, 1, 1.0)
              .latencyMsBatch1();
      double appearance = report.row(Contender.name("mdt", steps)).latencyMsBatch1();
      out[steps - 1] = (structureRef + appearanceRef) / (structure + appearance);
    }
    return out;
  }

  static List<Claim> claims(
      AppearanceComparison.Report report,
      int teacherSteps,
      double[] chain,
      DistillationBenchmark.Options o) {
    String mdt1 = Contender.name("mdt", 1);
    String teacher = Contender.name("teacher", teacherSteps);
    int reps = o.bootstrap();
    return List.of(
        Claim.of(
                "MDT 1 step appearance error below CM 1 step",
                Claim.Kind.ERROR_RATIO_BELOW,
                mdt1,
                Contender.name("cm", 1),
                1.0)
            .judged(report.errorRatio(mdt1, Contender.name("cm", 1), reps)),
        Claim.of(
                "MDT 1 step appearance error at most 1.2x the teacher's " + teacherSteps + " steps",
                Claim.Kind.ERROR_RATIO_BELOW,
                mdt1,
                teacher,
                1.2)
            .judged(report.errorRatio(mdt1, teacher, reps)),
        Claim.of(
                "chain 1 x 2 steps at least 30x faster than the teachers' " + teacherSteps + " x 2",
                Claim.Kind.SPEEDUP_ABOVE,
                "mdt 1 x 2",
                "teachers",
                30)
            .judged(new Estimate(chain[0], chain[0], chain[0])),
        Claim.of(
                "chain 2 x 2 steps at least 15x faster than the teachers' " + teacherSteps + " x 2",
                Claim.Kind.SPEEDUP_ABOVE,
                "mdt 2 x 2",
                "teachers",
                15)
            .judged(new Estimate(chain[1], chain[1], chain[1])));
  }

  static String markdown(AppearanceComparison.Report report, List<Claim> claims) {
    StringBuilder b = new StringBuilder(report.markdownTable()).append('\n');
    for (Claim c : claims) {
      b.append(String.format(Locale.ROOT, "- %s%n", c.line().strip()));
    }
    return b.toString();
  }
}
