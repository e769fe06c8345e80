package io.distillery.mdt.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.train.TrainingData;
import io.distillery.mdt.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One distillation step for {@link TrainingLoop}: draws a batch, noises and times from {@link
 * StepRandom} (so a resumed run repeats them exactly) and evaluates {@link MdtObjective} or {@link
 * CmObjective}. Conditions are never dropped: the student learns the guided velocity of each class.
 */
public final class DistillationLoss implements TrainingLoop.StepLoss {
  private static final long STREAM_BATCH = 11;
  private static final long STREAM_NOISE = 12;
  private static final long STREAM_FAKE_NOISE = 13;
  private static final long STREAM_TIME = 14;

  private final TrainerConfig.Method method;
  private final VelocityModel student;
  private final TargetNetwork target;
  private final VelocityModel teacher;
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
    this.method = method;
    this.student = student;
    this.target = target;
    this.teacher = teacher;
    this.data = data;
    this.batchSize = batchSize;
    this.settings = settings;
    this.seed = seed;
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    SplittableRandom batchRandom = StepRandom.of(seed, step, STREAM_BATCH);
    int[] idx = new int[batchSize];
    for (int i = 0; i < batchSize; i++) {
      idx[i] = batchRandom.nextInt(data.size());
    }
    NDArray x0 = data.grids(scope, idx);
    NDArray cond = data.labels(scope, idx);
    SampleSupport support = data.support(scope, idx);
    int size = (int) x0.size();
    NDArray eps = noise(scope, step, STREAM_NOISE, size, x0.getShape());
    NDArray t =
        scope.create(
            DistillTimes.sample(
                StepRandom.of(seed, step, STREAM_TIME),
                batchSize,
                settings.tMean(),
                settings.tStd(),
                settings.delta()),
            new Shape(batchSize));
    VelocityModel targetModel = target.current();
    Map<String, NDArray> logged = new LinkedHashMap<>();
    NDArray total;
    if (method == TrainerConfig.Method.MDT) {
      NDArray epsFake = noise(scope, step, STREAM_FAKE_NOISE, size, x0.getShape());
      MdtObjective.Terms terms =
          MdtObjective.compute(
              student, targetModel, teacher, x0, cond, eps, epsFake, t, settings, support);
      logged.put("vm", terms.vm());
      logged.put("vd", terms.vd());
      total = terms.total();
    } else {
      total =
          CmObjective.compute(student, targetModel, teacher, x0, cond, eps, t, settings, support);
      logged.put("cm", total);
    }
    return new TrainingLoop.StepLosses(total, logged);
  }

  private NDArray noise(NDManager scope, long step, long stream, int size, Shape shape) {
    return scope.create(StepRandom.gaussian(StepRandom.of(seed, step, stream), size), shape);
  }
}
