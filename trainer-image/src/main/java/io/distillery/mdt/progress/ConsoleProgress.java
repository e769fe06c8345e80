package io.distillery.mdt.progress;

import io.distillery.config.TrainerProgress;
import java.io.PrintStream;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Console progress: a progress bar with ETA when a person watches ({@code System.console() !=
 * null}), otherwise a plain line every {@code intervalMillis} and at the end (logs of a pod or CI).
 */
public final class ConsoleProgress implements TrainingMonitor {
  private final String task;
  private final PrintStream out;
  private final boolean interactive;
  private final long intervalMillis;
  private ProgressBar bar;
  private long lastLine;

  public ConsoleProgress(String task, PrintStream out, boolean interactive, long intervalMillis) {
    this.task = task;
    this.out = out;
    this.interactive = interactive;
    this.intervalMillis = intervalMillis;
  }

  /** Bar when interactive, a line every 10 s otherwise. */
  public static ConsoleProgress forTerminal(String task) {
    return new ConsoleProgress(task, System.err, System.console() != null, 10_000);
  }

  @Override
  public void update(TrainerProgress p) {
    if (interactive) {
      if (bar == null) {
        bar =
            new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(p.maxSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                .startsFrom(Math.max(0, p.step - 1), java.time.Duration.ZERO)
                .build();
      }
      bar.stepTo(p.step);
      bar.setExtraMessage(losses(p.losses));
      return;
    }
    long now = System.currentTimeMillis();
    if (now - lastLine >= intervalMillis || p.step >= p.maxSteps) {
      lastLine = now;
      out.println(line(task, p));
    }
  }

  /** One plain progress line, e.g. {@code teacher step 120/600 (20.0%) fm=0.5123 ...}. */
  public static String line(String task, TrainerProgress p) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%s step %d/%d (%.1f%%) %s",
                task, p.step, p.maxSteps, p.percent, losses(p.losses)));
    if (p.samplesPerSec != null) {
      sb.append(String.format(" %.1f samples/s", p.samplesPerSec));
    }
    if (p.etaSeconds != null) {
      sb.append(" eta ").append(duration(p.etaSeconds));
    }
    return sb.toString();
  }

  private static String losses(Map<String, Double> losses) {
    StringBuilder sb = new StringBuilder();
    losses.forEach(
        (k, v) -> {
          if (!sb.isEmpty()) {
            sb.append(' ');
          }
          sb.append(k).append('=').append(String.format("%.4f", v));
        });
    return sb.toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
        : String.format("%dm%02ds", s / 60, s % 60);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
