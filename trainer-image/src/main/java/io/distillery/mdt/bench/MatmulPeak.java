package io.distillery.mdt.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.model.NoGrad;

/**
 * What one libtorch matrix product of a given size reaches on this device, in this process and with
 * its thread settings: the ceiling the network's achieved FLOP rate is compared with. The fastest
 * of the timed runs counts (a peak; the shared machine only ever slows a run down).
 */
public final class MatmulPeak {
  private static final int WARMUP = 3;
  private static final int MIN_RUNS = 10;

  private MatmulPeak() {}

  /** {@code (m, k)} by {@code (k, n)} float32 reached {@code gflops}. */
  public record Peak(long m, long k, long n, double gflops) {}

  public static Peak measure(Device device, long m, long k, long n, double minSeconds) {
    try (NDManager manager = NDManager.newBaseManager(device);
        NoGrad ignored = NoGrad.enter()) {
      NDArray a = manager.randomUniform(-1, 1, new Shape(m, k));
      NDArray b = manager.randomUniform(-1, 1, new Shape(k, n));
      for (int i = 0; i < WARMUP; i++) {
        try (NDArray c = a.matMul(b)) {
          Sync.await(c);
        }
      }
      double best = Double.POSITIVE_INFINITY;
      long start = System.nanoTime();
      for (int runs = 0;
          runs < MIN_RUNS || (System.nanoTime() - start) / 1e9 < minSeconds;
          runs++) {
        long t0 = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          Sync.await(c);
        }
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      return new Peak(m, k, n, 2.0 * m * k * n / best / 1e9);
    }
  }
}
