package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The teacher's flow-matching loss {@code mean((v_theta(x_t, 1000 t, c) - ((1 - sigma_min) eps -
 * x0))^2)} (over the support's voxels) with logit-normal times {@code t = sigmoid(N(mean, std))}
 * (TRELLIS) and condition dropout: with probability {@code pUncond} a label becomes the null class.
 * The step's randomness is drawn for the whole global batch and sliced per {@link Shard}, so any
 * replica count trains on the same samples, noise, times and dropped labels.
 */
public final class FlowMatchingLoss implements TrainingLoop.StepLoss {
  private static final long STREAM_BATCH = 1;
  private static final long STREAM_NOISE = 2;
  private static final long STREAM_TIME = 3;
  private static final long STREAM_DROP = 4;

  private final List<VelocityModel> models;
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
    this(List.of(model), data, batchSize, pUncond, tMean, tStd, seed);
  }

  /** One model per data-parallel replica, replica order. */
  public FlowMatchingLoss(
      List<VelocityModel> models,
      TrainingData data,
      int batchSize,
      double pUncond,
      double tMean,
      double tStd,
      long seed) {
    this.models = List.copyOf(models);
    this.data = data;
    this.batchSize = batchSize;
    this.pUncond = pUncond;
    this.tMean = tMean;
    this.tStd = tStd;
    this.seed = seed;
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step) {
    return compute(scope, step, Shard.whole(batchSize));
  }

  @Override
  public TrainingLoop.StepLosses compute(NDManager scope, long step, Shard shard) {
    VelocityModel model = models.get(shard.replica());
    int[] all = batchIndices(data.size(), batchSize, StepRandom.of(seed, step, STREAM_BATCH));
    int[] idx = shard.slice(all);
    NDArray x0 = data.grids(scope, idx);
    NDArray cond =
        dropConditions(
            data.labels(scope, idx),
            shard.slice(drops(StepRandom.of(seed, step, STREAM_DROP))),
            model.nullClass());
    SampleSupport support = data.support(scope, idx);
    x0 = support.restrict(x0);
    int perSample = (int) (x0.size() / idx.length);
    float[] noise =
        StepRandom.gaussian(StepRandom.of(seed, step, STREAM_NOISE), perSample * batchSize);
    NDArray eps = support.restrict(scope.create(shard.slice(noise, perSample), x0.getShape()));
    float[] times = logitNormal(StepRandom.of(seed, step, STREAM_TIME), batchSize, tMean, tStd);
    NDArray t = scope.create(shard.slice(times), new Shape(idx.length));
    NDArray xt = FlowMatching.diffuse(x0, eps, t);
    NDArray target = FlowMatching.velocity(x0, eps);
    NDArray v = support.bind(model).velocity(xt, t.mul(1000), cond, true);
    NDArray loss = support.mean(v.sub(target).square());
    return new TrainingLoop.StepLosses(loss, Map.of("fm", loss), data.share(all, idx));
  }

  /** Which labels of the global batch become the null class (drawn on the host, in order). */
  private boolean[] drops(SplittableRandom r) {
    boolean[] drop = new boolean[batchSize];
    for (int i = 0; i < batchSize; i++) {
      drop[i] = r.nextDouble() < pUncond;
    }
    return drop;
  }

  /** {@code cond} with the dropped labels replaced on its own device (no copy to the host). */
  static NDArray dropConditions(NDArray cond, boolean[] drop, long nullClass) {
    boolean any = false;
    for (boolean d : drop) {
      any |= d;
    }
    if (!any) {
      return cond;
    }
    NDArray mask = cond.getManager().create(drop);
    return NDArrays.where(mask, cond.zerosLike().add(nullClass), cond);
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
