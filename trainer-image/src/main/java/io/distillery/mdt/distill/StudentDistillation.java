package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.data.DatasetException;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.Devices;
import io.distillery.mdt.model.FlowModels;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Precision;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.LossCurves;
import io.distillery.mdt.train.LossHistory;
import io.distillery.mdt.train.ReplicaModels;
import io.distillery.mdt.train.TrainingData;
import io.distillery.mdt.train.TrainingLoop;
import io.distillery.mdt.train.VoxelBatchData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Distills a teacher into a few-step student with MDT-dist or the CM baseline and writes the
 * student as a verified artifact ({@code out/student-<method>}). One student serves every step
 * count in {@code studentSteps}: MDT learns the average velocity to the data from any time, which a
 * 1-step and a 2-step sampler both use; CM likewise maps to the end of its phase. Training one
 * student per method (not per step count) halves the cost and keeps the comparison fair.
 *
 * <p>With several devices ({@link Devices#forTraining}) each holds a replica of the student, of its
 * target network and of the frozen teacher, and shares every step's global batch ({@link
 * TrainingLoop}).
 */
public final class StudentDistillation {
  public static final String LOSS_PLOT = "loss.png";

  /** Watchdog window (steps) and the rise over the best window that counts as divergence. */
  static final int WATCH_WINDOW = 50;

  static final double WATCH_RATIO = 4.0;

  private StudentDistillation() {}

  /**
   * The divergence watchdog around {@code loss}, watching the loss the objective trains ({@link
   * DivergenceWatchdog#watchedLoss}): with {@code lambdaVD = 0} the VD loss is logged but not
   * trained, and its rise must not stop a healthy VM-only run.
   */
  static DivergenceWatchdog watchdog(TrainerConfig cfg, TrainingLoop.StepLoss loss) {
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    return new DivergenceWatchdog(
        loss,
        DivergenceWatchdog.watchedLoss(cfg.method, h.lambdaVM, h.lambdaVD),
        WATCH_WINDOW,
        WATCH_RATIO,
        h.learningRate);
  }

  /** What a finished distillation produced. */
  public record Result(
      Path artifact,
      String digest,
      TrainerConfig.Method method,
      long steps,
      long resumedFromStep,
      Map<String, Double> finalLosses,
      double secondsPerStep,
      LossHistory history) {}

  public static Path artifactDir(TrainerConfig cfg) {
    return Path.of(cfg.output.dir).resolve("student-" + methodName(cfg.method));
  }

  public static String methodName(TrainerConfig.Method m) {
    return m.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Looks at the finished student before its artifact is committed, writing reports into it (so
   * they are covered by the manifest's digests).
   */
  @FunctionalInterface
  public interface Evaluator {
    void evaluate(VelocityModel student, ArtifactWriter artifact) throws IOException;

    static Evaluator none() {
      return (student, artifact) -> {};
    }
  }

  public static Result run(
      TrainerConfig cfg,
      Teacher teacher,
      LoadedDataset train,
      TrainingMonitor monitor,
      Map<String, Object> provenance,
      Evaluator evaluator)
      throws IOException {
    checkDataFitsTeacher(cfg, teacher, train);
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    String method = methodName(cfg.method);
    Path out = Path.of(cfg.output.dir);
    String fingerprint =
        "student "
            + method
            + ": teacher "
            + teacher.digest()
            + ", "
            + FlowModels.describe(teacher.stage(), teacher.spec())
            + ", seed "
            + h.seed;
    TrainingData data = VoxelBatchData.of(train);
    ObjectiveSettings settings = ObjectiveSettings.from(h);
    List<Device> devices = Devices.forTraining(teacher.model().device(), cfg.replicas, h.batchSize);
    boolean emaTarget = h.emaTargetFor(cfg.method);
    Precision precision = precisionFor(h, teacher);
    ReplicaModels.Rebuild rebuild = w -> FlowModels.withWeights(teacher.stage(), teacher.spec(), w);
    try (ReplicaModels students =
            ReplicaModels.on(devices, precision, teacher::newStudentOn, rebuild);
        TeacherReplicas teachers = new TeacherReplicas(teacher, devices);
        TrainingLoop loop =
            students.loop(
                TrainingLoop.Settings.from(
                    cfg, out.resolve("checkpoints/student-" + method), fingerprint));
        ReplicaModels targetCopies =
            emaTarget
                ? ReplicaModels.on(devices, precision, teacher::newStudentOn, rebuild)
                : ReplicaModels.on(List.of(), d -> null)) {
      List<TargetNetwork> targets = new ArrayList<>(devices.size());
      for (int r = 0; r < devices.size(); r++) {
        targets.add(
            emaTarget
                ? TargetNetwork.following(targetCopies.models().get(r), loop.ema().shadow())
                : TargetNetwork.self(students.models().get(r)));
      }
      TrainingLoop.StepLoss loss =
          watchdog(
                  cfg,
                  new DistillationLoss(
                      cfg.method,
                      students.models(),
                      targets,
                      teachers.models(),
                      data,
                      h.batchSize,
                      settings,
                      h.seed))
              .replay(loop.history());
      TrainingLoop.Summary s = loop.run(loss, monitor);
      Map<String, Object> training = new LinkedHashMap<>(provenance);
      training.put("method", method);
      training.put("teacher", teacher.source());
      training.put("teacherDigest", teacher.digest());
      training.put("studentSteps", cfg.studentSteps);
      training.put("steps", h.maxSteps);
      training.put("batchSize", h.batchSize);
      training.put("learningRate", h.learningRate);
      training.put("cfgTeacherVM", h.cfgTeacherVM);
      training.put("cfgTeacherVD", h.cfgTeacherVD);
      training.put("lambdaVM", h.lambdaVM);
      training.put("lambdaVD", h.lambdaVD);
      training.put("interval", h.interval);
      training.put("dNorm", h.dNorm);
      training.put("intervalWeighting", h.intervalWeighting);
      training.put("emaTarget", h.emaTargetFor(cfg.method));
      training.put("multiphase", h.multiphase);
      training.put("seed", h.seed);
      training.put("finalLosses", s.finalLosses());
      List<String> names = teacher.classNames() != null ? teacher.classNames() : train.classNames();
      ModelCard card =
          teacher.studentCard(
              SamplerSettings.student(Collections.min(cfg.studentSteps)), names, training);
      Artifact artifact =
          ModelArtifacts.write(
              artifactDir(cfg),
              card,
              loop.ema().shadow(),
              w -> {
                LossCurves.write(
                    loop.history(), "student distillation (" + method + ")", w.path(LOSS_PLOT));
                teacher.writeModelFiles(w);
                try (VelocityModel exported = teacher.studentWith(loop.ema().shadow())) {
                  evaluator.evaluate(exported, w);
                }
              });
      return new Result(
          artifact.dir(),
          artifact.digest(),
          cfg.method,
          s.history().steps.size(),
          s.startStep(),
          s.finalLosses(),
          s.secondsPerStep(),
          s.history());
    }
  }

  /**
   * The student's compute precision: float16 needs a built-in student, whose network narrows its
   * inputs to its weights' type; a TorchScript module computes in the type it was saved in.
   */
  private static Precision precisionFor(TrainerConfig.Hyperparameters h, Teacher teacher) {
    Precision p = Precision.of(h.precision);
    if (p != Precision.FP32 && teacher.isTorchScript()) {
      throw new InvalidConfigException(
          "hyperparameters.precision "
              + h.precision
              + " needs a built-in network; the teacher "
              + teacher.source()
              + " is a TorchScript module, whose student trains in fp32 (set precision fp32)");
    }
    return p;
  }

  static void checkDataFitsTeacher(TrainerConfig cfg, Teacher teacher, LoadedDataset train)
      throws DatasetException {
    TrainerConfig.ModelSpec spec = teacher.spec();
    var b = train.batch();
    if (b.channels() != spec.channels || b.resolution() != spec.resolution) {
      throw new DatasetException(
          Path.of(cfg.dataset.uri),
          "samples are "
              + b.channels()
              + " channel(s) at resolution "
              + b.resolution()
              + ", but the teacher takes "
              + spec.channels
              + " channel(s) at resolution "
              + spec.resolution);
    }
    if (train.numClasses() > spec.numClasses) {
      throw new DatasetException(
          Path.of(cfg.dataset.uri),
          "has " + train.numClasses() + " classes, the teacher takes " + spec.numClasses);
    }
    List<String> names = teacher.classNames();
    if (names != null && !names.equals(train.classNames())) {
      throw new DatasetException(
          Path.of(cfg.dataset.uri),
          "classes " + train.classNames() + " differ from the teacher's classes " + names);
    }
  }
}
