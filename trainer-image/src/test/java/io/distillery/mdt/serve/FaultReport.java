package io.distillery.mdt.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Writes the counts of a serving fault-injection test to {@code
 * target/fault-reports/serving-NAME.md} and prints them, so that a run leaves numbers to quote
 * (BENCHMARKS.md, "Serving fault injection").
 */
final class FaultReport {
  private FaultReport() {}

  static Path write(String name, String title, String markdown) throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "fault-reports"));
    String text =
        "## "
            + title
            + "\n\n"
            + markdown
            + "\n"
            + LocalDate.now(ZoneOffset.UTC)
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
            + "\n";
    Path file = dir.resolve("serving-" + name + ".md");
    Files.writeString(file, text);
    System.out.println(text);
    return file;
  }
}
