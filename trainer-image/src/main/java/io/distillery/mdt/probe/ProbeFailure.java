package io.distillery.mdt.probe;

/** A side could not be probed: the message names the side, the URL and what went wrong. */
public final class ProbeFailure extends Exception {
  public ProbeFailure(String message) {
    super(message);
  }
}
