package io.distillery.mdt.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.VelocityModel;

/**
 * Samples many shapes in batches where shape {@code j} starts from the noise of seed {@code seed +
 * j}, whatever the batch size, so the same (seed, j) gives the same shape from every model: the
 * basis of side-by-side comparisons (teacher vs students, same conditions and seeds).
 */
public final class SeededSampling {
  public static final int DEFAULT_BATCH = 16;

  private SeededSampling() {}

  /** The starting noise of one shape, float32 values in the model's sample layout. */
  public static float[] noise(long seed, int values) {
    return StepRandom.gaussian(StepRandom.of(seed, 0, 0), values);
  }

  /** Samples {@code labels.length} shapes (class {@code labels[j]}, seed {@code seed + j}). */
  public static VoxelBatch sample(
      VelocityModel model, SamplerSettings settings, int[] labels, long seed, int batchSize) {
    return sample(model, settings, labels, seed, batchSize, null);
  }

  /**
   * Samples as above; with {@code structures} (the appearance stage) shape {@code j} is generated
   * on {@code structures}' grid {@code j} (+1 filled): the model is bound to it and the sample is
   * zero off it. The noise is drawn on the whole grid either way, so a structure does not change
   * the noise of the voxels it keeps.
   */
  public static VoxelBatch sample(
      VelocityModel model,
      SamplerSettings settings,
      int[] labels,
      long seed,
      int batchSize,
      VoxelBatch structures) {
    Shape one = model.sampleShape();
    int per = (int) one.size();
    float[] out = new float[labels.length * per];
    try (NDManager nd = NDManager.newBaseManager(model.device())) {
      for (int from = 0; from < labels.length; from += batchSize) {
        int to = Math.min(labels.length, from + batchSize);
        try (NDManager batch = nd.newSubManager()) {
          float[] noise = new float[(to - from) * per];
          long[] cond = new long[to - from];
          for (int j = from; j < to; j++) {
            System.arraycopy(noise(seed + j, per), 0, noise, (j - from) * per, per);
            cond[j - from] = labels[j];
          }
          SampleSupport support =
              structures == null
                  ? SampleSupport.dense()
                  : SampleSupport.on(occupancy(batch, structures.slice(from, to)));
          NDArray x =
              EulerSampler.sample(
                  support.bind(model),
                  support.restrict(batch.create(noise, new Shape(to - from).addAll(one))),
                  batch.create(cond),
                  settings);
          System.arraycopy(x.toFloatArray(), 0, out, from * per, (to - from) * per);
        }
      }
    }
    return new VoxelBatch(out, labels.clone(), labels.length, (int) one.get(0), (int) one.get(1));
  }

  /** Float 0/1 {@code (N, 1, R, R, R)} of occupancy grids (+1 filled). */
  static NDArray occupancy(NDManager manager, VoxelBatch structures) {
    float[] occ = structures.data().clone();
    for (int i = 0; i < occ.length; i++) {
      occ[i] = occ[i] > 0 ? 1f : 0f;
    }
    int r = structures.resolution();
    return manager.create(occ, new Shape(structures.count(), 1, r, r, r));
  }
}
