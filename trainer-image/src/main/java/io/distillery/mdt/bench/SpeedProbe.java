package io.distillery.mdt.bench;

import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;
import java.util.Arrays;

/**
 * Wall-clock speed of sampling, measured in the calling process: median latency of a batch of 1 and
 * throughput at a batch of 32 (best of a few runs), after a warm-up run. Speedups are ratios of
 * these numbers measured in the same run on the same machine.
 */
public final class SpeedProbe {
  public static final int THROUGHPUT_BATCH = 32;

  private SpeedProbe() {}

  public record Speed(double latencyMsBatch1, double throughputPerSec) {}

  public static Speed measure(
      VelocityModel model, SamplerSettings sampler, int latencyRuns, int throughputRuns) {
    Generation.generate(model, sampler, 1, 99, 1); // warm-up
    double[] ms = new double[latencyRuns];
    for (int i = 0; i < latencyRuns; i++) {
      long t0 = System.nanoTime();
      Generation.generate(model, sampler, 1, 1000 + i, 1);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < throughputRuns; i++) {
      long t0 = System.nanoTime();
      Generation.generate(model, sampler, THROUGHPUT_BATCH, 2000 + i, THROUGHPUT_BATCH);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return new Speed(ms[latencyRuns / 2], THROUGHPUT_BATCH / best);
  }
}
