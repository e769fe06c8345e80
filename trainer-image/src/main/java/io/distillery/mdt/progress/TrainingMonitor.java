package io.distillery.mdt.progress;

import io.distillery.config.TrainerProgress;

/**
 * Receives a progress snapshot after every training step: the console bar, the {@code /progress}
 * endpoint and the Prometheus metrics all implement it.
 */
public interface TrainingMonitor extends AutoCloseable {
  void update(TrainerProgress progress);

  @Override
  default void close() {}

  /** A monitor that ignores everything (tests, library use). */
  static TrainingMonitor none() {
    return p -> {};
  }

  /** Sends every update to each of {@code monitors} and closes them all. */
  static TrainingMonitor all(TrainingMonitor... monitors) {
    return new TrainingMonitor() {
      @Override
      public void update(TrainerProgress progress) {
        for (TrainingMonitor m : monitors) {
          m.update(progress);
        }
      }

      @Override
      public void close() {
        for (TrainingMonitor m : monitors) {
          m.close();
        }
      }
    };
  }
}
