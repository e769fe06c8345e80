package io.distillery.mdt.train;

/** A checkpoint in the output directory belongs to another model or run kind. */
public final class IncompatibleCheckpointException extends RuntimeException {
  public IncompatibleCheckpointException(String message) {
    super(message);
  }
}
