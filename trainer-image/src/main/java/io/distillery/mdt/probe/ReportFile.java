package io.distillery.mdt.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the probe report: to a temporary file beside it, then moved into place, so a reader never
 * sees half a report. A container's termination-message file is a single-file mount, which a rename
 * cannot replace (and its directory may not be writable); there the report is written in place, in
 * one write, which is safe because the kubelet reads it only after the container ended.
 */
public final class ReportFile {
  private ReportFile() {}

  public static void write(Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Path tmp = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException notMovable) {
      if (!Files.isRegularFile(file)) {
        throw notMovable;
      }
      Files.write(file, bytes);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
