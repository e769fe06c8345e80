package io.distillery.mdt.bench;

import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.VelocityModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Wall-clock speed of sampling, measured in the calling process: median latency of a batch of 1 and
 * throughput at a batch of 32 (best of its runs), after a warm-up run. Each takes at least its
 * given number of runs and keeps going until it has run for {@code minSeconds}: a 1-step model
 * takes a few milliseconds, and a median of a handful of such runs followed one scheduling hiccup
 * of the shared machine (the same 1-step network measured 2.4 and 4.2 ms in one run). Speedups are
 * ratios of these numbers measured in the same run on the same machine.
 */
public final class SpeedProbe {
  public static final int THROUGHPUT_BATCH = 32;

  /** Most runs of the latency measurement, so a sub-millisecond model still ends. */
  static final int MAX_LATENCY_RUNS = 1000;

  private SpeedProbe() {}

  public record Speed(double latencyMsBatch1, double throughputPerSec) {}

  public static Speed measure(
      VelocityModel model,
      SamplerSettings sampler,
      int latencyRuns,
      int throughputRuns,
      double minSeconds) {
    Generation.generate(model, sampler, 1, 99, 1); // warm-up
    List<Double> ms = new ArrayList<>();
    long start = System.nanoTime();
    while (ms.size() < latencyRuns
        || (elapsed(start) < minSeconds && ms.size() < MAX_LATENCY_RUNS)) {
      long t0 = System.nanoTime();
      Generation.generate(model, sampler, 1, 1000 + ms.size(), 1);
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    Collections.sort(ms);
    double best = Double.POSITIVE_INFINITY;
    start = System.nanoTime();
    for (int i = 0; i < throughputRuns || elapsed(start) < minSeconds; i++) {
      long t0 = System.nanoTime();
      Generation.generate(model, sampler, THROUGHPUT_BATCH, 2000 + i, THROUGHPUT_BATCH);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return new Speed(ms.get(ms.size() / 2), THROUGHPUT_BATCH / best);
  }

  private static double elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
