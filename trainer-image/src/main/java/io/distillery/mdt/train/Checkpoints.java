package io.distillery.mdt.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checkpoint directories {@code step-00000123} under a root. Each is written into a temporary
 * directory, sealed with the digests of its files ({@link CheckpointDigests}) and renamed into
 * place when complete, so a crash never leaves a checkpoint that looks finished (the next save
 * deletes what a killed write left); the newest {@link #KEEP} are kept. Only a checkpoint whose
 * files match their digests and whose state reads is resumed; a bad one is set aside as {@code
 * corrupt-step-...} (kept for inspection, out of the way of pruning) and the next older one is
 * tried.
 */
public final class Checkpoints {
  public static final int KEEP = 2;
  private static final String PREFIX = "step-";
  private static final String SET_ASIDE = "corrupt-";
  private static final String TMP = ".tmp-" + PREFIX;
  private static final String STATE = "state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The SHA256SUMS file that seals a checkpoint: written (and uploaded) last. */
  public static final String SEAL = CheckpointDigests.FILE;

  /** The record beside the checkpoints of a run that diverged ({@link DivergenceRecord}). */
  public static final String DIVERGENCE_RECORD = DivergenceRecord.FILE;

  private static final Map<Path, Listener> LISTENERS = new ConcurrentHashMap<>();

  private final Path root;
  private final Listener listener;

  public Checkpoints(Path root) {
    this.root = root;
    this.listener = listenerFor(root);
  }

  /**
   * Told of each checkpoint once it is complete on disk and of each one deleted, before {@link
   * #save} returns: the object-storage mirror, which must have the checkpoint before a preempted
   * run exits.
   */
  public interface Listener {
    void saved(Path checkpoint) throws IOException;

    void deleted(Path checkpoint) throws IOException;

    /** A record beside the checkpoints ({@value #DIVERGENCE_RECORD}) was written. */
    void recordWritten(Path file) throws IOException;

    /** A record beside the checkpoints was deleted. */
    void recordDeleted(Path file) throws IOException;
  }

  /**
   * Tells {@code listener} about every checkpoint written or deleted under {@code dir} (an output
   * directory) until the returned handle is closed.
   */
  public static AutoCloseable observe(Path dir, Listener listener) {
    Path key = dir.toAbsolutePath().normalize();
    LISTENERS.put(key, listener);
    return () -> LISTENERS.remove(key, listener);
  }

  private static Listener listenerFor(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    return LISTENERS.entrySet().stream()
        .filter(e -> abs.startsWith(e.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  /** Writes the files of one checkpoint. */
  @FunctionalInterface
  public interface Writer {
    void write(Path dir) throws IOException;
  }

  /** A checkpoint whose files verified, with its parsed {@code state.json}. */
  public record Verified(Path dir, JsonNode state) {
    public long step() {
      return state.path("step").asLong();
    }
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
      deleteUnfinished();
      Path tmp = Files.createTempDirectory(root, TMP);
      try {
        writer.write(tmp);
        CheckpointDigests.write(tmp);
        Path target = root.resolve(String.format("%s%08d", PREFIX, step));
        if (Files.exists(target)) {
          deleteTree(target);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (listener != null) {
          listener.saved(target);
        }
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

  /**
   * The newest checkpoint that verifies. Each newer one that does not is set aside, and one line on
   * {@code say} names them, why, and what the run starts from instead.
   */
  public Optional<Verified> newestVerified(Consumer<String> say) {
    StringBuilder bad = new StringBuilder();
    List<Path> all = new ArrayList<>(list());
    Collections.reverse(all);
    Optional<Verified> found = Optional.empty();
    for (Path dir : all) {
      Optional<String> problem = CheckpointDigests.problem(dir).or(() -> stateProblem(dir));
      if (problem.isEmpty()) {
        found = Optional.of(new Verified(dir, readState(dir)));
        break;
      }
      Path aside = setAside(dir);
      bad.append("checkpoint ")
          .append(dir)
          .append(" is corrupt: ")
          .append(problem.get())
          .append(", set aside as ")
          .append(aside.getFileName())
          .append("; ");
    }
    if (!bad.isEmpty()) {
      say.accept(
          "mdt: "
              + bad
              + found
                  .map(v -> "resuming from step " + v.step() + " (" + v.dir() + ")")
                  .orElse("no checkpoint verifies: starting fresh from step 0"));
    }
    return found;
  }

  private static Optional<String> stateProblem(Path dir) {
    try {
      JsonNode state = readState(dir);
      return state.isObject() && state.path("step").isIntegralNumber()
          ? Optional.empty()
          : Optional.of(STATE + " has no step");
    } catch (UncheckedIOException e) {
      return Optional.of(STATE + " does not read: " + e.getCause().getMessage());
    }
  }

  private static JsonNode readState(Path dir) {
    try {
      JsonNode state = JSON.readTree(dir.resolve(STATE).toFile());
      if (state == null || state.isMissingNode()) {
        throw new IOException("empty");
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Moves a corrupt checkpoint out of the way of resuming and pruning, kept for inspection. */
  private Path setAside(Path dir) {
    try {
      Path aside = root.resolve(SET_ASIDE + dir.getFileName());
      if (Files.exists(aside)) {
        deleteTree(aside);
      }
      Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
      return aside;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot set aside corrupt checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every checkpoint (a diverged run's), oldest first. */
  public void discardAll() {
    try {
      for (Path dir : list()) {
        delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete checkpoints under " + root, e);
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

  /**
   * Deletes the temporary directories of writes that never finished (a process killed while it
   * wrote a checkpoint): nothing resumes them, and each is as large as a checkpoint. One run writes
   * a directory at a time, so any that exists now is such a leftover.
   */
  private void deleteUnfinished() throws IOException {
    List<Path> unfinished;
    try (Stream<Path> s = Files.list(root)) {
      unfinished = s.filter(p -> p.getFileName().toString().startsWith(TMP)).toList();
    }
    for (Path dir : unfinished) {
      deleteTree(dir);
    }
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - KEEP; i++) {
      delete(all.get(i));
    }
  }

  /** Writes the divergence record beside the checkpoints (and tells the listener). */
  void recordDivergence(DivergenceRecord record) throws IOException {
    record.write(root);
    if (listener != null) {
      listener.recordWritten(root.resolve(DivergenceRecord.FILE));
    }
  }

  /** Deletes the divergence record (and tells the listener). */
  void deleteDivergenceRecord() throws IOException {
    DivergenceRecord.delete(root);
    if (listener != null) {
      listener.recordDeleted(root.resolve(DivergenceRecord.FILE));
    }
  }

  private void delete(Path checkpoint) throws IOException {
    deleteTree(checkpoint);
    if (listener != null) {
      listener.deleted(checkpoint);
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
