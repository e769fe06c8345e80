package io.distillery.config;

/** A configuration that cannot be used; the message names the key or value at fault. */
public class InvalidConfigException extends RuntimeException {
  public InvalidConfigException(String message) {
    super(message);
  }
}
