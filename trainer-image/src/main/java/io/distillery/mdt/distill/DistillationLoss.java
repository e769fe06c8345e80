package io.distillery.mdt.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.train.Shard;
import io.distillery.mdt.train.TrainingData;
import io.distillery.mdt.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One distillation step for {@link TrainingLoop}: draws a batch, noises and times from {@link
 * StepRandom} (so a resumed run repeats them exactly) and evaluates {@link MdtObjective} or {@link
 * CmObjective}. Conditions are never dropped: the student learns the guided velocity of each class.
 * The randomness is drawn for the whole global batch and sliced per data-parallel {@link Shard};
 * each replica computes its slice with its own student, target and teacher copies.
 */
public final class DistillationLoss implements TrainingLoop.StepLoss {
  private static final long STREAM_BATCH = 11;
  private static final long STREAM_NOISE = 12;
  private static final long STREAM_FAKE_NOISE = 13;
  private static final long STREAM_TIME = 14;

  private final TrainerConfig.Method method;
  private final List<VelocityModel> students;
  private final List<TargetNetwork> targets;
  private final List<VelocityModel> teachers;
  private final TrainingData data;
  private final int batchSize;
  private final ObjectiveSettings settings;
  private final long seed;

  public DistillationLoss(
      TrainerConfig.Method method,
      VelocityModel student,
      TargetNetwork target,
      VelocityModel teacher,
      TrainingData data,
      int batchSize,
      ObjectiveSettings settings,
      long seed) {
    this(
        method,
        List.of(student),
        List.of(target),
        List.of(teacher),
        data,
        batchSize,
        settings,
        seed);
  }

  /** One student, target and teacher per data-parallel replica, replica order. */
  public DistillationLoss(
      TrainerConfig.Method method,
      List<VelocityModel> students,
      List<TargetNetwork> targets,
      List<VelocityModel> teachers,
      TrainingData data,
      int batchSize,
      ObjectiveSettings settings,
      long seed) {
    this.method = method;
    this.students = List.copyOf(students);
    this.targets = List.copyOf(targets);
    this.teachers = List.copyOf(teachers);
    this.data = data;
    this.batchSize = batchSize;
    this.settings = settings;
    this.seed = seed;
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    return compute(scope, step, Shard.whole(batchSize));
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step, Shard shard) {
    VelocityModel student = students.get(shard.replica());
    VelocityModel teacher = teachers.get(shard.replica());
    SplittableRandom batchRandom = StepRandom.of(seed, step, STREAM_BATCH);
    int[] all = new int[batchSize];
    for (int i = 0; i < batchSize; i++) {
      all[i] = batchRandom.nextInt(data.size());
    }
    int[] idx = shard.slice(all);
    NDArray x0 = data.grids(scope, idx);
    NDArray cond = data.labels(scope, idx);
    SampleSupport support = data.support(scope, idx);
    int perSample = (int) (x0.size() / idx.length);
    NDArray eps = noise(scope, step, STREAM_NOISE, perSample, shard, x0.getShape());
    float[] times =
        DistillTimes.sample(
            StepRandom.of(seed, step, STREAM_TIME),
            batchSize,
            settings.tMean(),
            settings.tStd(),
            settings.delta());
    float[] shardTimes = shard.slice(times);
    NDArray t = scope.create(shardTimes, new Shape(idx.length));
    VelocityModel targetModel = targets.get(shard.replica()).current();
    Map<String, NDArray> logged = new LinkedHashMap<>();
    NDArray total;
    if (method == TrainerConfig.Method.MDT) {
      NDArray epsFake = noise(scope, step, STREAM_FAKE_NOISE, perSample, shard, x0.getShape());
      MdtObjective.Terms terms =
          MdtObjective.compute(
              student, targetModel, teacher, x0, cond, eps, epsFake, t, settings, support);
      logged.put("vm", terms.vm());
      logged.put("vd", terms.vd());
      total = terms.total();
    } else {
      // The target times come from the host copy of t: no device-to-host copy per step.
      NDArray tTarget = scope.create(CmObjective.targetTimes(shardTimes, settings.multiphase()));
      total =
          CmObjective.compute(
              student, targetModel, teacher, x0, cond, eps, t, tTarget, settings, support);
      logged.put("cm", total);
    }
    return new TrainingLoop.StepLosses(total, logged, data.share(all, idx));
  }

  /** The shard's slice of the global batch's noise ({@code perSample} values a sample). */
  private NDArray noise(
      NDManager scope, long step, long stream, int perSample, Shard shard, Shape shape) {
    float[] all = StepRandom.gaussian(StepRandom.of(seed, step, stream), perSample * batchSize);
    return scope.create(shard.slice(all, perSample), shape);
  }
}
