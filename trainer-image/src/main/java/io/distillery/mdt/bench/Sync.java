package io.distillery.mdt.bench;

import ai.djl.ndarray.NDArray;

/**
 * Waits until an array's value exists. libtorch runs CPU operations synchronously, so there it does
 * nothing; on a GPU it reads one element back, which waits for the queued kernels.
 */
final class Sync {
  private Sync() {}

  static void await(NDArray a) {
    if (a.getDevice().isGpu() && a.size() > 0) {
      try (NDArray one = a.flatten().get(0)) {
        one.getFloat();
      }
    }
  }
}
