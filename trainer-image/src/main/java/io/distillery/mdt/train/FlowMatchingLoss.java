package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The teacher's flow-matching loss {@code mean((v_theta(x_t, 1000 t, c) - ((1 - sigma_min) eps -
 * x0))^2)} (over the support's voxels) with logit-normal times {@code t = sigmoid(N(mean, std))}
 * (TRELLIS) and condition dropout: with probability {@code pUncond} a label becomes the null class.
 */
public final class FlowMatchingLoss implements TrainingLoop.StepLoss {
  private static final long STREAM_BATCH = 1;
  private static final long STREAM_NOISE = 2;
  private static final long STREAM_TIME = 3;
  private static final long STREAM_DROP = 4;

  private final VelocityModel model;
  private final TrainingData data;
  private final int batchSize;
  private final double pUncond;
  private final double tMean;
  private final double tStd;
  private final long seed;

  public FlowMatchingLoss(
      VelocityModel model,
      TrainingData data,
      int batchSize,
      double pUncond,
      double tMean,
      double tStd,
      long seed) {
    this.model = model;
    this.data = data;
    this.batchSize = batchSize;
    this.pUncond = pUncond;
    this.tMean = tMean;
    this.tStd = tStd;
    this.seed = seed;
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    int[] idx = batchIndices(data.size(), batchSize, StepRandom.of(seed, step, STREAM_BATCH));
    NDArray x0 = data.grids(scope, idx);
    NDArray cond = data.labels(scope, idx);
    cond = dropConditions(cond, StepRandom.of(seed, step, STREAM_DROP));
    SampleSupport support = data.support(scope, idx);
    x0 = support.restrict(x0);
    NDArray eps =
        support.restrict(
            scope.create(
                StepRandom.gaussian(StepRandom.of(seed, step, STREAM_NOISE), (int) x0.size()),
                x0.getShape()));
    NDArray t =
        scope.create(
            logitNormal(StepRandom.of(seed, step, STREAM_TIME), batchSize, tMean, tStd),
            new Shape(batchSize));
    NDArray xt = FlowMatching.diffuse(x0, eps, t);
    NDArray target = FlowMatching.velocity(x0, eps);
    NDArray v = support.bind(model).velocity(xt, t.mul(1000), cond, true);
    NDArray loss = support.mean(v.sub(target).square());
    return new TrainingLoop.StepLosses(loss, Map.of("fm", loss));
  }

  private NDArray dropConditions(NDArray cond, SplittableRandom r) {
    long[] labels = cond.toLongArray();
    for (int i = 0; i < labels.length; i++) {
      if (r.nextDouble() < pUncond) {
        labels[i] = model.nullClass();
      }
    }
    return cond.getManager().create(labels);
  }

  static int[] batchIndices(int size, int batch, SplittableRandom r) {
    int[] idx = new int[batch];
    for (int i = 0; i < batch; i++) {
      idx[i] = r.nextInt(size);
    }
    return idx;
  }

  /** {@code sigmoid(N(mean, std))}: TRELLIS's logit-normal training times, in (0, 1). */
  static float[] logitNormal(SplittableRandom r, int n, double mean, double std) {
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) (1 / (1 + Math.exp(-(mean + std * r.nextGaussian()))));
    }
    return t;
  }
}
