package io.distillery.mdt.train;

/** The loss became NaN or infinite; the run stops without writing an artifact. */
public final class TrainingDivergedException extends RuntimeException {
  private final long step;

  public TrainingDivergedException(long step, String message) {
    super(message);
    this.step = step;
  }

  public long step() {
    return step;
  }
}
