package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.Claim;
import io.distillery.mdt.bench.Comparison;
import io.distillery.mdt.bench.ComparisonReport;
import io.distillery.mdt.bench.Contender;
import io.distillery.mdt.bench.Machine;
import io.distillery.mdt.bench.QualityProbe;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetLoader;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.eval.FeatureExtractor;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.progress.ConsoleProgress;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.TrainingDivergedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The full comparison of docs/algorithm.md section 6 in one process: distill the teacher with the
 * CM baseline and with MDT-dist (and, with {@code ablation}, MDT with Velocity Matching alone and
 * Velocity Distillation alone) with every training seed (same budget and settings), and compare the
 * teacher at its reference step count, 2 and 1 steps and every student at 1 and 2 steps on the same
 * evaluation seeds and machine. The teacher does not depend on the training seed, so it is sampled
 * once per evaluation seed; speed is measured once per row. {@code mdt demo} and {@code mdt bench}
 * both run it; bench also rewrites BENCHMARKS.md.
 */
public final class DistillationBenchmark {
  /**
   * Least seconds each speed measurement runs: the few-millisecond latencies of 1-2 step models
   * need many runs for a median that one hiccup of a shared machine cannot move.
   */
  static final double SPEED_SECONDS = 2.0;

  /** Student step counts of every comparison. */
  static final List<Integer> STUDENT_STEPS = List.of(1, 2);

  private DistillationBenchmark() {}

  /**
   * @param seeds training seeds: the config's {@code hyperparameters.seed} and the next ones
   * @param evalSeeds evaluation seeds: {@code evaluation.seed} and the next ones, {@link
   *     Comparison#EVAL_SEED_STRIDE} apart
   * @param ablation also distill MDT with VM alone ({@code mdt-vm}, lambdaVD 0) and VD alone
   *     ({@code mdt-vd}, lambdaVM 0)
   * @param bootstrap bootstrap replicates of the intervals
   * @param speedSeconds least seconds each speed measurement runs (tests use 0)
   */
  public record Options(
      int seeds, int evalSeeds, boolean ablation, int bootstrap, double speedSeconds) {
    public Options(int seeds, int evalSeeds, boolean ablation, int bootstrap) {
      this(seeds, evalSeeds, ablation, bootstrap, SPEED_SECONDS);
    }

    public Options {
      if (seeds < 1) {
        throw new InvalidConfigException("--seeds: must be at least 1, got " + seeds);
      }
      if (evalSeeds < 1) {
        throw new InvalidConfigException("--eval-seeds: must be at least 1, got " + evalSeeds);
      }
      if (bootstrap < 1) {
        throw new InvalidConfigException("bootstrap replicates must be at least 1");
      }
    }
  }

  /**
   * @param students the student artifacts by variant and seed ({@code mdt}, {@code cm}, ... for the
   *     first training seed, {@code mdt-seed43} for later ones)
   */
  public record Outcome(ComparisonReport report, Path outDir, Map<String, Path> students) {}

  /** Distils one variant's config; a seam so a test can make a variant diverge. */
  @FunctionalInterface
  interface Distiller {
    StudentDistillation.Result distill(
        TrainerConfig c,
        Teacher teacher,
        LoadedDataset train,
        TrainingMonitor monitor,
        Map<String, Object> provenance)
        throws IOException;
  }

  private static final Distiller DISTIL =
      (c, teacher, train, monitor, provenance) ->
          StudentDistillation.run(
              c, teacher, train, monitor, provenance, StudentDistillation.Evaluator.none());

  /** A distillation setting compared as its own rows. */
  record Variant(String name, TrainerConfig.Method method, Double lambdaVM, Double lambdaVD) {}

  static List<Variant> variants(boolean ablation) {
    List<Variant> v = new ArrayList<>();
    v.add(new Variant("cm", TrainerConfig.Method.CM, null, null));
    v.add(new Variant("mdt", TrainerConfig.Method.MDT, null, null));
    if (ablation) {
      v.add(new Variant("mdt-vm", TrainerConfig.Method.MDT, null, 0.0));
      v.add(new Variant("mdt-vd", TrainerConfig.Method.MDT, 0.0, null));
    }
    return v;
  }

  /**
   * @param cfg the distillation config (teacher, dataset, hyperparameters, evaluation); its {@code
   *     method} is ignored: every variant runs
   */
  public static Outcome run(
      TrainerConfig cfg, Device device, Path outDir, Map<String, Object> provenance, Options o)
      throws IOException {
    return run(cfg, device, outDir, provenance, o, DISTIL);
  }

  static Outcome run(
      TrainerConfig cfg,
      Device device,
      Path outDir,
      Map<String, Object> provenance,
      Options o,
      Distiller distiller)
      throws IOException {
    Files.createDirectories(outDir);
    Map<String, Path> students = new LinkedHashMap<>();
    try (Teacher teacher = Teacher.load(cfg, device)) {
      QualityProbe.checkSampleCount(
          cfg.evaluation.samples,
          teacher.model().numClasses(),
          "evaluation.samples (--set evaluation.samples)");
      LoadedDataset train = DatasetLoader.load(cfg, BuiltinShapes.Split.TRAIN);
      List<Long> seeds = new ArrayList<>();
      for (int k = 0; k < o.seeds(); k++) {
        seeds.add(cfg.hyperparameters.seed + k);
      }
      List<Variant> variants = variants(o.ablation());
      LoadedDataset heldOut = DatasetLoader.load(cfg, BuiltinShapes.Split.HELD_OUT);
      try (FeatureExtractor features =
          EvaluationFeatures.open(cfg, teacher.model(), heldOut.batch(), device)) {
        QualityProbe quality = new QualityProbe(features, heldOut.batch(), cfg.evaluation.samples);
        Comparison.Settings settings =
            new Comparison.Settings(
                cfg.evaluation.samples,
                Comparison.Settings.evalSeeds(cfg.evaluation.seed, o.evalSeeds()),
                64,
                7,
                2,
                o.speedSeconds(),
                Machine.describe(device),
                o.bootstrap());
        TrainerConfig.Sampler ts = cfg.teacher.sampler;
        Contender baseline = Contender.teacher(teacher.model(), ts, ts.steps);
        List<Contender> teacherRows =
            List.of(
                baseline,
                Contender.teacher(teacher.model(), ts, 2),
                Contender.teacher(teacher.model(), ts, 1));
        int evaluations =
            teacherRows.size() + seeds.size() * variants.size() * STUDENT_STEPS.size();
        Comparison comparison;
        try (TrainingMonitor monitor = ConsoleProgress.forTerminal("evaluate teacher")) {
          comparison =
              new Comparison(baseline, quality, settings, seeds, outDir, evaluations, monitor);
          for (Contender t : teacherRows) {
            comparison.evaluate(t, Comparison.FIXED, monitor);
          }
        }
        for (int k = 0; k < seeds.size(); k++) {
          long seed = seeds.get(k);
          for (Variant v : variants) {
            String id = v.name() + (k == 0 ? "" : "-seed" + seed);
            TrainerConfig c = copyWith(cfg, v, seed, outDir.resolve("students").resolve(id));
            StudentDistillation.Result r;
            try (TrainingMonitor monitor =
                ConsoleProgress.forTerminal("distill " + v.name() + " seed " + seed)) {
              r = distiller.distill(c, teacher, train, monitor, provenance);
            } catch (TrainingDivergedException e) {
              // A student that does not train is a result of the comparison (its rows say so and
              // the claims on them are not evaluated), not a failure of the whole benchmark.
              for (int steps : STUDENT_STEPS) {
                comparison.missing(v.name(), steps, k, "training diverged");
              }
              System.err.println(
                  "note: " + v.name() + " seed " + seed + " diverged: " + e.getMessage());
              continue;
            }
            students.put(id, r.artifact());
            Files.copy(
                r.artifact().resolve(StudentDistillation.LOSS_PLOT),
                outDir.resolve("loss-" + id + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
            try (ModelArtifacts.Loaded student = ModelArtifacts.load(r.artifact(), device);
                TrainingMonitor monitor =
                    ConsoleProgress.forTerminal("evaluate " + v.name() + " seed " + seed)) {
              for (Contender x : Contender.student(v.name(), student.model(), STUDENT_STEPS)) {
                comparison.evaluate(x, k, monitor);
              }
            }
          }
        }
        ComparisonReport report =
            comparison.finish(quality == null ? List.of() : Claim.standard(ts.steps));
        return new Outcome(report, outDir, students);
      }
    }
  }

  /** The config of one variant and seed, writing under {@code dir} (checkpoints resume there). */
  static TrainerConfig copyWith(TrainerConfig cfg, Variant v, long seed, Path dir) {
    TrainerConfig c =
        io.distillery.config.TrainerConfigs.parse(
            io.distillery.config.TrainerConfigs.toYaml(cfg), "config");
    c.method = v.method();
    c.hyperparameters.seed = seed;
    if (v.lambdaVM() != null) {
      c.hyperparameters.lambdaVM = v.lambdaVM();
    }
    if (v.lambdaVD() != null) {
      c.hyperparameters.lambdaVD = v.lambdaVD();
    }
    c.output.dir = dir.toString();
    return io.distillery.config.TrainerConfigs.validated(c);
  }
}
