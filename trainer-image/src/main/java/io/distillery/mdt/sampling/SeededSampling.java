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

  /** The noise stream of a single model, and of a pipeline's structure stage. */
  public static final long STRUCTURE_STREAM = 0;

  /**
   * The noise stream of a pipeline's appearance stage: shape {@code j} draws from seed {@code seed
   * + j} as its structure did, but from this stream, so the two stages never share noise.
   */
  public static final long APPEARANCE_STREAM = 1;

  /** The starting noise of one shape, float32 values in the model's sample layout. */
  public static float[] noise(long seed, int values) {
    return noise(seed, STRUCTURE_STREAM, values);
  }

  /** The starting noise of one shape drawn from {@code stream} of {@code seed}. */
  public static float[] noise(long seed, long stream, int values) {
    return StepRandom.gaussian(StepRandom.of(seed, 0, stream), values);
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
    long[] seeds = new long[labels.length];
    for (int j = 0; j < seeds.length; j++) {
      seeds[j] = seed + j;
    }
    return sample(model, settings, labels, seeds, STRUCTURE_STREAM, batchSize, structures);
  }

  /**
   * Samples as above with shape {@code j} starting from the noise of {@code seeds[j]} in {@code
   * stream}: a pipeline samples the appearance of only the shapes whose structure is not empty,
   * each with its own shape's seed.
   */
  public static VoxelBatch sample(
      VelocityModel model,
      SamplerSettings settings,
      int[] labels,
      long[] seeds,
      long stream,
      int batchSize,
      VoxelBatch structures) {
    if (seeds.length != labels.length) {
      throw new IllegalArgumentException(seeds.length + " seeds for " + labels.length + " labels");
    }
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
            System.arraycopy(noise(seeds[j], stream, per), 0, noise, (j - from) * per, per);
            cond[j - from] = labels[j];
          }
          SampleSupport support =
              structures == null
                  ? SampleSupport.dense()
                  : support(batch, structures.slice(from, to));
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

  /**
   * The structures' occupied voxels (+1 filled) as float 0/1 {@code (N, 1, R, R, R)} on the device
   * and, for the model's token layout, on the host.
   */
  private static SampleSupport support(NDManager manager, VoxelBatch structures) {
    float[] occ = structures.data().clone();
    for (int i = 0; i < occ.length; i++) {
      occ[i] = occ[i] > 0 ? 1f : 0f;
    }
    int r = structures.resolution();
    return SampleSupport.on(manager.create(occ, new Shape(structures.count(), 1, r, r, r)), occ);
  }
}
