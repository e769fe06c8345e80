package io.distillery.mdt.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file or directory that cannot be used; the message names the file and the problem. */
public class DatasetException extends IOException {
  private final Path file;

  public DatasetException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public DatasetException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file or directory at fault. */
  public Path file() {
    return file;
  }
}
