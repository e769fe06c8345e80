package io.distillery.mdt.progress;

import io.distillery.config.TrainerConfig;

/** The monitor every training command uses: console progress, plus /progress and /metrics. */
public final class Monitors {
  private Monitors() {}

  /** Console progress named {@code task}, plus /progress and /metrics unless progressPort is 0. */
  public static TrainingMonitor forRun(TrainerConfig cfg, String task) {
    ConsoleProgress console = ConsoleProgress.forTerminal(task);
    if (cfg.progressPort == 0) {
      return console;
    }
    return TrainingMonitor.all(
        console,
        ProgressServer.start(
            cfg.progressPort, cfg.hyperparameters.maxSteps, cfg.hyperparameters.batchSize));
  }
}
