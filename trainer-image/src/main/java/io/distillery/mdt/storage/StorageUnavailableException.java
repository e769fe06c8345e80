package io.distillery.mdt.storage;

/**
 * Object storage did not answer: connection refused or timed out, or server errors (5xx) after the
 * client's bounded retries. Exit code 6 (STORAGE_UNAVAILABLE).
 */
public final class StorageUnavailableException extends StorageException {
  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
