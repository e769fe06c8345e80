package io.distillery.mdt.train;

/**
 * The loop stopped on SIGTERM/SIGINT after writing a checkpoint of its current step; a rerun with
 * the same output resumes from it. The loop has already said so on stderr.
 */
public final class PreemptedException extends RuntimeException {
  private final long step;

  public PreemptedException(long step, String message) {
    super(message);
    this.step = step;
  }

  public long step() {
    return step;
  }
}
