package io.distillery.mdt.storage;

/**
 * Object storage answered, but not with what was asked for: no such bucket or key, no manifest,
 * access denied or wrong credentials, a file or digest that does not match. Exit code 3
 * (INVALID_INPUT): retrying does not help.
 */
public final class InvalidStorageInputException extends StorageException {
  public InvalidStorageInputException(String message) {
    super(message, null);
  }

  public InvalidStorageInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
