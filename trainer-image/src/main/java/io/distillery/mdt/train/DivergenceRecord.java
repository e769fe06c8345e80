package io.distillery.mdt.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code DIVERGED.json} in a checkpoint directory: the run that wrote its checkpoints diverged, so
 * none of them is healthy (the loss was already rising when they were written). A new loop over the
 * directory never resumes them: with unchanged settings it stops with the same divergence, with
 * changed ones it starts fresh.
 */
record DivergenceRecord(long step, String message, RunFingerprint fingerprint) {
  static final String FILE = "DIVERGED.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  static Optional<DivergenceRecord> read(Path root) {
    Path file = root.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), DivergenceRecord.class));
    } catch (IOException e) {
      // Unreadable: still a divergence, under settings unknown, so any rerun starts fresh.
      return Optional.of(
          new DivergenceRecord(
              0, "(" + FILE + " unreadable)", new RunFingerprint("?", new TreeMap<>())));
    }
  }

  void write(Path root) throws IOException {
    Files.createDirectories(root);
    Path tmp = root.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, root.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  static void delete(Path root) throws IOException {
    Files.deleteIfExists(root.resolve(FILE));
  }
}
