package io.distillery.mdt.serve;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples with no filled voxel (channel 0 nowhere above 0) in an answer that is otherwise a
 * success: an undertrained or collapsed model, typically a 1-step student, makes them, and a client
 * sees only an empty mesh. The request was valid, so the answer stays 200; the count goes into the
 * response ({@code X-Empty-Samples}, and {@code emptySamples} in the voxels JSON), into {@code
 * mdt_serve_empty_samples_total}, and into a warning logged at most once per {@link
 * #LOG_INTERVAL_NANOS} with the count since the last one.
 */
final class EmptySamples {
  static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final System.Logger LOG = System.getLogger(GenerationServer.class.getName());

  private final LongSupplier clock;
  private long lastLog = Long.MIN_VALUE;
  private long emptySinceLog;
  private long samplesSinceLog;

  EmptySamples(LongSupplier nanoClock) {
    this.clock = nanoClock;
  }

  /**
   * Samples of {@code samples} ({@code C * R^3} floats each) whose channel 0 is nowhere above 0, or
   * -1 for a multi-channel model, whose samples are not occupancy grids.
   */
  static int count(float[][] samples, int channels, int resolution) {
    if (channels != 1) {
      return -1;
    }
    int voxels = resolution * resolution * resolution;
    int empty = 0;
    for (float[] s : samples) {
      boolean filled = false;
      for (int v = 0; v < voxels && !filled; v++) {
        filled = s[v] > 0;
      }
      if (!filled) {
        empty++;
      }
    }
    return empty;
  }

  /**
   * Notes one answered request; returns the warning to log now (null if none is due): the first
   * empty sample is logged at once, later ones at most once per interval.
   */
  synchronized String record(int empty, int samples, int steps) {
    emptySinceLog += Math.max(0, empty);
    samplesSinceLog += samples;
    if (emptySinceLog == 0) {
      return null;
    }
    long now = clock.getAsLong();
    if (lastLog != Long.MIN_VALUE && now - lastLog < LOG_INTERVAL_NANOS) {
      return null;
    }
    String message =
        emptySinceLog
            + " of "
            + samplesSinceLog
            + " generated samples "
            + (lastLog == Long.MIN_VALUE ? "so far" : "since the last warning")
            + " were empty (no voxel above 0; latest at "
            + steps
            + " step(s)); answered 200 with X-Empty-Samples. The model may be undertrained"
            + " (e.g. a 1-step student): check its evaluation (GET /v1/model).";
    lastLog = now;
    emptySinceLog = 0;
    samplesSinceLog = 0;
    return message;
  }

  /** Logs what {@link #record} returned. */
  static void log(String message) {
    if (message != null) {
      LOG.log(System.Logger.Level.WARNING, message);
    }
  }
}
