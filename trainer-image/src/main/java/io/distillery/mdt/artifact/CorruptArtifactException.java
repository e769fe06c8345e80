package io.distillery.mdt.artifact;

import java.io.IOException;

/** An artifact whose manifest, or a file it lists, is missing or does not match its digest. */
public class CorruptArtifactException extends IOException {
  private final String file;

  public CorruptArtifactException(String file, String message) {
    super(message);
    this.file = file;
  }

  /** The file (relative to the artifact directory) at fault. */
  public String file() {
    return file;
  }
}
