package io.distillery.mdt.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a model artifact directory so that it only ever appears complete.
 *
 * <p>Files go into a hidden temporary sibling of the target ({@code .NAME.tmp-<uuid>}), whose
 * writer holds a lock on {@code .NAME.tmp-<uuid>.lock} while it lives. A new writer for the same
 * target deletes the staging folders (and lock files) of that exact pattern whose lock nobody
 * holds: the leftovers of a killed run. {@link #commit()} writes {@code model.json} and {@code
 * manifest.json} (SHA-256 of every file and the artifact digest) last, then renames the folder into
 * place.
 *
 * <p>Files written with {@link #path}, {@link #newFile} or {@link #writeJson} are in the digest;
 * those written with {@link #recordPath} or {@link #writeRecordJson}, or left out by {@link
 * #digestOnly}, are records: listed and verified, but outside the digest, so that dates, latencies
 * and reports do not change what identifies the model. {@link #close()} without a commit deletes
 * the temporary folder, so a failure midway leaves nothing that looks finished. An existing
 * artifact at the target is first renamed aside and deleted only after the new one is in place, so
 * it is never half-overwritten.
 *
 * <pre>{@code
 * try (ArtifactWriter w = ArtifactWriter.create(dir)) {
 *   try (var out = new DataOutputStream(w.newFile("teacher.params"))) {
 *     block.saveParameters(out);
 *   }
 *   w.modelJson(modelJson);
 *   Artifact artifact = w.commit();
 * }
 * }</pre>
 */
public final class ArtifactWriter implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The UUID part of a staging folder's name: only names this writer makes are ever deleted. */
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private static final String LOCK_SUFFIX = ".lock";
  private static final System.Logger LOG = System.getLogger(ArtifactWriter.class.getName());

  private final Path target;
  private final Path staging;
  private final StagingLock lock;
  private final Set<String> records = new TreeSet<>();
  private Set<String> digestOnly;
  private JsonNode modelJson;
  private boolean committed;

  private ArtifactWriter(Path target, Path staging, StagingLock lock) {
    this.target = target;
    this.staging = staging;
    this.lock = lock;
  }

  /** Starts an artifact that {@link #commit()} will place at {@code target}. */
  public static ArtifactWriter create(Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    if (abs.getFileName() == null) {
      throw new IOException(target + ": an artifact needs a directory name");
    }
    if (Files.exists(abs) && !isReplaceable(abs)) {
      throw new FileAlreadyExistsException(
          abs.toString(), null, "exists and is neither an artifact nor an empty directory");
    }
    Files.createDirectories(abs.getParent());
    deleteStaleStaging(abs);
    Path staging =
        abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID().toString());
    // The lock exists before the folder, so a staging folder without one is a leftover.
    StagingLock lock = StagingLock.acquire(lockOf(staging));
    try {
      Files.createDirectory(staging);
    } catch (IOException | RuntimeException e) {
      lock.releaseAndDelete();
      throw e;
    }
    return new ArtifactWriter(abs, staging, lock);
  }

  private static Path lockOf(Path staging) {
    return staging.resolveSibling(staging.getFileName() + LOCK_SUFFIX);
  }

  /**
   * Deletes {@code .NAME.tmp-<uuid>} folders and {@code .NAME.tmp-<uuid>.lock} files beside {@code
   * target} whose lock no live writer holds (a killed writer's lock is released with its process).
   * Nothing else is touched; in particular {@code .NAME.old-<uuid>}, which a kill mid-commit can
   * leave as the only copy of the previous artifact, stays for the operator to look at.
   */
  static void deleteStaleStaging(Path target) throws IOException {
    Pattern stagingName =
        Pattern.compile(
            Pattern.quote("." + target.getFileName() + ".tmp-")
                + UUID_PATTERN
                + "("
                + Pattern.quote(LOCK_SUFFIX)
                + ")?");
    List<Path> candidates;
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      candidates =
          siblings.filter(p -> stagingName.matcher(p.getFileName().toString()).matches()).toList();
    }
    for (Path p : candidates) {
      boolean isLock = p.getFileName().toString().endsWith(LOCK_SUFFIX);
      Path staging = isLock ? p.resolveSibling(stripLockSuffix(p)) : p;
      try {
        StagingLock stale = StagingLock.ifStale(lockOf(staging));
        if (stale == null) {
          continue; // a live writer's
        }
        try {
          deleteTree(staging);
        } finally {
          stale.releaseAndDelete();
        }
      } catch (IOException e) {
        // Best effort: a leftover that cannot be removed (or that another writer is removing)
        // must not stop a new artifact.
        LOG.log(System.Logger.Level.WARNING, "could not delete stale staging " + p + ": " + e);
      }
    }
  }

  private static String stripLockSuffix(Path lockFile) {
    String n = lockFile.getFileName().toString();
    return n.substring(0, n.length() - LOCK_SUFFIX.length());
  }

  /** The final location. */
  public Path target() {
    return target;
  }

  /** Where file {@code name} is staged; write it before {@link #commit()}. It is in the digest. */
  public Path path(String name) throws IOException {
    Path p = staged(name);
    records.remove(relative(p));
    return p;
  }

  /**
   * Where record {@code name} is staged: a file that is listed and verified but outside the digest
   * (a report, a preview, anything that differs between two runs of the same training).
   */
  public Path recordPath(String name) throws IOException {
    Path p = staged(name);
    records.add(relative(p));
    return p;
  }

  /** Writes a staged JSON record (e.g. provenance or an evaluation report). */
  public void writeRecordJson(String name, Object value) throws IOException {
    JSON.writeValue(recordPath(name).toFile(), value);
  }

  /**
   * Puts only {@code model.json} and {@code names} in the digest: every other staged file becomes a
   * record. For writers whose extra files come from code that does not know the difference (e.g.
   * the model's weights and module in, loss curves and evaluation reports out).
   */
  public ArtifactWriter digestOnly(Collection<String> names) {
    checkOpen();
    this.digestOnly = new TreeSet<>(names);
    return this;
  }

  private String relative(Path staged) {
    return staging.relativize(staged).toString().replace('\\', '/');
  }

  private Path staged(String name) throws IOException {
    checkOpen();
    Path p = staging.resolve(name).normalize();
    if (!p.startsWith(staging) || p.equals(staging)) {
      throw new IllegalArgumentException("file name must stay inside the artifact: " + name);
    }
    if (name.equals(Artifact.MANIFEST) || name.equals(Artifact.MODEL_JSON)) {
      throw new IllegalArgumentException(name + " is written by the artifact writer itself");
    }
    Files.createDirectories(p.getParent());
    return p;
  }

  /** Opens a staged file for writing (the caller closes it). */
  public OutputStream newFile(String name) throws IOException {
    return Files.newOutputStream(path(name));
  }

  /** Writes a staged JSON file (e.g. a report). */
  public void writeJson(String name, Object value) throws IOException {
    JSON.writeValue(path(name).toFile(), value);
  }

  /** Sets the free-form {@code model.json} (architecture, sampling defaults). */
  public ArtifactWriter modelJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("model.json must be a JSON object");
    }
    this.modelJson = json.deepCopy();
    return this;
  }

  /** Writes model.json and the manifest, then moves the artifact into place and verifies it. */
  public Artifact commit() throws IOException {
    checkOpen();
    if (modelJson == null) {
      throw new IllegalStateException("model.json not set: call modelJson(...) before commit()");
    }
    JSON.writeValue(staging.resolve(Artifact.MODEL_JSON).toFile(), modelJson);
    SortedMap<String, String> sums = new TreeMap<>();
    SortedMap<String, String> digested = new TreeMap<>();
    try (Stream<Path> files = Files.walk(staging)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String rel = relative(p);
        String sha = Digests.ofFile(p);
        sums.put(rel, sha);
        if (!isRecord(rel)) {
          digested.put(rel, sha);
        }
      }
    }
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("format", Artifact.FORMAT);
    ObjectNode files = manifest.putObject("files");
    sums.forEach(
        (path, sha) -> {
          ObjectNode f = files.putObject(path).put("sha256", sha);
          if (!digested.containsKey(path)) {
            f.put("record", true);
          }
        });
    manifest.put("digest", Digests.ofListing(digested));
    JSON.writeValue(staging.resolve(Artifact.MANIFEST).toFile(), manifest);

    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      move(target, old);
    }
    move(staging, target);
    committed = true;
    lock.releaseAndDelete();
    if (old != null) {
      deleteTree(old);
    }
    return Artifact.open(target);
  }

  private boolean isRecord(String name) {
    if (name.equals(Artifact.MODEL_JSON)) {
      return false;
    }
    return records.contains(name) || (digestOnly != null && !digestOnly.contains(name));
  }

  /** Deletes the staged files unless the artifact was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      committed = true; // idempotent
      try {
        deleteTree(staging);
      } finally {
        lock.releaseAndDelete();
      }
    }
  }

  private void checkOpen() {
    if (committed) {
      throw new IllegalStateException("artifact writer for " + target + " is closed");
    }
  }

  private static boolean isReplaceable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    if (Files.exists(dir.resolve(Artifact.MANIFEST))) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically", e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
