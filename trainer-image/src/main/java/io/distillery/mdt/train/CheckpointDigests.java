package io.distillery.mdt.train;

import io.distillery.mdt.artifact.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@code SHA256SUMS} file of a checkpoint: the SHA-256 of each of its files in {@code
 * sha256sum} format (so {@code sha256sum -c SHA256SUMS} checks it by hand). It is written last,
 * inside the temporary directory that is then renamed into place, so a checkpoint without it never
 * finished; a resume checks every file against it, so a flipped bit or a truncated file is caught
 * before training goes on from it.
 */
final class CheckpointDigests {
  static final String FILE = "SHA256SUMS";

  private CheckpointDigests() {}

  static void write(Path dir) throws IOException {
    StringBuilder sums = new StringBuilder();
    actual(dir).forEach((name, sha) -> sums.append(sha).append("  ").append(name).append('\n'));
    Files.writeString(dir.resolve(FILE), sums, StandardCharsets.UTF_8);
  }

  /** Why {@code dir} does not verify, or empty when every file matches its digest. */
  static Optional<String> problem(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.of("no " + FILE + ": unfinished, or written by an older mdt");
    }
    try {
      SortedMap<String, String> expected = new TreeMap<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] parts = line.split(" {2}", 2);
        if (parts.length != 2) {
          return Optional.of(FILE + " is malformed");
        }
        expected.put(parts[1], parts[0]);
      }
      SortedMap<String, String> actual = actual(dir);
      for (var e : expected.entrySet()) {
        String sha = actual.get(e.getKey());
        if (sha == null) {
          return Optional.of(e.getKey() + " is missing");
        }
        if (!sha.equals(e.getValue())) {
          return Optional.of(e.getKey() + " does not match its SHA-256 (changed or truncated)");
        }
      }
      for (String name : actual.keySet()) {
        if (!expected.containsKey(name)) {
          return Optional.of(name + " is not listed in " + FILE);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("unreadable: " + e.getMessage());
    }
  }

  /** SHA-256 by file name of the files in {@code dir} (checkpoints are flat), but the sums. */
  private static SortedMap<String, String> actual(Path dir) throws IOException {
    SortedMap<String, String> sums = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        String name = p.getFileName().toString();
        if (!name.equals(FILE)) {
          sums.put(name, Files.isRegularFile(p) ? Digests.ofFile(p) : "not-a-file");
        }
      }
    }
    return sums;
  }
}
