package io.distillery.mdt.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code step-00000123} under a root. Each is written into a temporary
 * directory and renamed into place when complete, so a crash never leaves a checkpoint that looks
 * finished; the newest {@link #KEEP} are kept.
 */
public final class Checkpoints {
  public static final int KEEP = 2;
  private static final String PREFIX = "step-";

  private final Path root;

  public Checkpoints(Path root) {
    this.root = root;
  }

  /** Writes the files of one checkpoint. */
  @FunctionalInterface
  public interface Writer {
    void write(Path dir) throws IOException;
  }

  public Path root() {
    return root;
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latest() {
    return list().stream().reduce((a, b) -> b);
  }

  /** Step number of a checkpoint directory. */
  public static long stepOf(Path dir) {
    return Long.parseLong(dir.getFileName().toString().substring(PREFIX.length()));
  }

  public Path save(long step, Writer writer) {
    try {
      Files.createDirectories(root);
      Path tmp = Files.createTempDirectory(root, ".tmp-" + PREFIX);
      try {
        writer.write(tmp);
        Path target = root.resolve(String.format("%s%08d", PREFIX, step));
        if (Files.exists(target)) {
          deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        prune();
        return target;
      } finally {
        if (Files.exists(tmp)) {
          deleteTree(tmp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write checkpoint under " + root + ": " + e.getMessage(), e);
    }
  }

  private List<Path> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
          .filter(Files::isDirectory)
          .sorted(Comparator.comparingLong(Checkpoints::stepOf))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - KEEP; i++) {
      deleteTree(all.get(i));
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
