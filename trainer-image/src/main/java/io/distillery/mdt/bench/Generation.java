package io.distillery.mdt.bench;

import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.SeededSampling;

/**
 * Evaluation samples with fixed conditions and noise: sample {@code i} has class {@code i mod
 * numClasses} and the noise of seed {@code seed + i} ({@link SeededSampling}), so every model of a
 * comparison starts from the same noise for the same condition and the side-by-side sheet lines up.
 */
public final class Generation {
  private Generation() {}

  public static int[] labels(int count, int numClasses) {
    int[] l = new int[count];
    for (int i = 0; i < count; i++) {
      l[i] = i % numClasses;
    }
    return l;
  }

  public static VoxelBatch generate(
      VelocityModel model, SamplerSettings sampler, int count, long seed, int batch) {
    return SeededSampling.sample(model, sampler, labels(count, model.numClasses()), seed, batch);
  }
}
