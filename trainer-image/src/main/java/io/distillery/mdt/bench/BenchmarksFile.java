package io.distillery.mdt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites one marked section of BENCHMARKS.md, leaving the others (operator scale, serving) alone:
 * the text between {@code <!-- BEGIN name -->} and {@code <!-- END name -->}; the section is
 * appended when the file has no such markers yet.
 */
public final class BenchmarksFile {
  private BenchmarksFile() {}

  public static void replaceSection(Path file, String name, String body) throws IOException {
    String begin = "<!-- BEGIN " + name + " -->";
    String end = "<!-- END " + name + " -->";
    String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
    String section = begin + "\n" + body.strip() + "\n" + end;
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    String updated;
    if (b >= 0 && e > b) {
      updated = text.substring(0, b) + section + text.substring(e + end.length());
    } else {
      updated = text.stripTrailing() + "\n\n" + section + "\n";
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, updated);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
