package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A transcript of the commands a test ran and what they printed, as a user would see them. */
public final class CommandReport {
  private final Path file;

  private CommandReport(Path file) {
    this.file = file;
  }

  /** Starts an empty transcript at {@code file} (under target/). */
  public static CommandReport at(Path file) throws IOException {
    Files.writeString(file, "");
    return new CommandReport(file);
  }

  public void add(String command, String output) throws IOException {
    Files.writeString(
        file, command + "\n" + output + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
