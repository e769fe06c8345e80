package io.distillery.mdt.cli;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.bench.NetworkFlops;
import io.distillery.mdt.bench.TimedModel;
import io.distillery.mdt.bench.TrainingThroughput;
import io.distillery.mdt.distill.DistillationLoss;
import io.distillery.mdt.distill.DivergenceWatchdog;
import io.distillery.mdt.distill.ObjectiveSettings;
import io.distillery.mdt.distill.TargetNetwork;
import io.distillery.mdt.distill.Teacher;
import io.distillery.mdt.model.FlowModels;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.train.FlowMatchingLoss;
import io.distillery.mdt.train.TrainingData;
import io.distillery.mdt.train.TrainingLoop;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The training steps {@code mdt bench} accounts for ({@link TrainingThroughput}): teacher training
 * of a fresh transformer of the teacher's architecture (what {@code mdt train-teacher} runs), and
 * distillation of the config's teacher with MDT and with CM (what {@code mdt distill} runs), with
 * the config's hyperparameters. The step code is the trainer's own; only the networks are wrapped
 * to be timed.
 */
final class ThroughputWorkloads {
  /** Window and ratio of the distillation watchdog (its cost is one host read per step). */
  private static final int WATCH_WINDOW = 50;

  private static final double WATCH_RATIO = 4.0;

  private ThroughputWorkloads() {}

  /** Teacher training: flow matching on a freshly initialised network of {@code spec}. */
  static TrainingThroughput.Workload teacherTraining(
      TrainerConfig cfg, TrainerConfig.ModelSpec spec, TrainingData data, Device device) {
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    VelocityModel model = FlowModels.create(cfg.stage, spec, h.seed, device);
    TimedModel timed =
        new TimedModel(model, TimedModel.Role.TRAINED, NetworkFlops.forwardPerSample(spec));
    return new TrainingThroughput.Workload() {
      @Override
      public String name() {
        return "teacher training";
      }

      @Override
      public TrainerConfig.ModelSpec spec() {
        return spec;
      }

      @Override
      public Weights trained() {
        return model.weights();
      }

      @Override
      public List<TimedModel> networks() {
        return List.of(timed);
      }

      @Override
      public TrainingLoop.StepLoss loss(Weights emaShadow) {
        return new FlowMatchingLoss(
            timed, data, h.batchSize, h.pUncond, h.tSchedule.mean, h.tSchedule.std, h.seed + 1);
      }

      @Override
      public void close() {
        model.close();
      }
    };
  }

  /** Distillation of {@code teacher} with {@code method}, a student copied from it. */
  static TrainingThroughput.Workload distillation(
      TrainerConfig cfg, TrainerConfig.Method method, Teacher teacher, TrainingData data)
      throws IOException {
    TrainerConfig.Hyperparameters h = cfg.hyperparameters;
    long flops = NetworkFlops.forwardPerSample(teacher.spec());
    VelocityModel student = teacher.newStudent();
    VelocityModel targetCopy = h.emaTargetFor(method) ? teacher.newStudent() : null;
    TimedModel timedStudent = new TimedModel(student, TimedModel.Role.TRAINED, flops);
    TimedModel timedTeacher = new TimedModel(teacher.model(), TimedModel.Role.TEACHER, flops);
    TimedModel timedTarget =
        targetCopy == null ? null : new TimedModel(targetCopy, TimedModel.Role.TARGET, flops);
    List<TimedModel> networks = new ArrayList<>(List.of(timedTeacher, timedStudent));
    if (timedTarget != null) {
      networks.add(timedTarget);
    }
    ObjectiveSettings settings = ObjectiveSettings.from(h);
    String name = "distillation (" + method.name().toLowerCase(java.util.Locale.ROOT) + ")";
    return new TrainingThroughput.Workload() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public TrainerConfig.ModelSpec spec() {
        return teacher.spec();
      }

      @Override
      public Weights trained() {
        return student.weights();
      }

      @Override
      public List<TimedModel> networks() {
        return networks;
      }

      @Override
      public TrainingLoop.StepLoss loss(Weights emaShadow) {
        TargetNetwork target =
            timedTarget == null
                ? TargetNetwork.self(timedStudent)
                : TargetNetwork.following(timedTarget, emaShadow);
        return new DivergenceWatchdog(
            new DistillationLoss(
                method, timedStudent, target, timedTeacher, data, h.batchSize, settings, h.seed),
            DivergenceWatchdog.watchedLoss(method, h.lambdaVM, h.lambdaVD),
            WATCH_WINDOW,
            WATCH_RATIO,
            h.learningRate);
      }

      @Override
      public void close() {
        student.close();
        if (targetCopy != null) {
          targetCopy.close();
        }
      }
    };
  }
}
