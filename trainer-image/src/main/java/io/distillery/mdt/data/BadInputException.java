package io.distillery.mdt.data;

/** A command-line input that cannot be used (unknown class, missing model); exit code 3. */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }
}
