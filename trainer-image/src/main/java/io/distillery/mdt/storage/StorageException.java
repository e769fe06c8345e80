package io.distillery.mdt.storage;

import java.io.IOException;

/**
 * A failed object-storage operation; the message names the URI and the problem (never a
 * credential). The subclass says which exit code it means.
 */
public abstract class StorageException extends IOException {
  protected StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
