package io.distillery.mdt.render;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file beside its final name and moves it into place, so a reader never sees half a file.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  interface Text {
    void writeTo(BufferedWriter w) throws IOException;
  }

  static void writeAscii(Path file, Text text) throws IOException {
    Path tmp = temp(file);
    try {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
        text.writeTo(w);
      }
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void write(Path file, byte[] bytes) throws IOException {
    Path tmp = temp(file);
    try {
      Files.write(tmp, bytes);
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path temp(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    return Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
  }

  private static void move(Path tmp, Path file) throws IOException {
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
