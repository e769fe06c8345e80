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
import java.util.Comparator;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a model artifact directory so that it only ever appears complete.
 *
 * <p>Files go into a hidden temporary sibling of the target ({@code .NAME.tmp-<uuid>}). {@link
 * #commit()} writes {@code model.json} and {@code manifest.json} (SHA-256 of every file and the
 * artifact digest) last, then renames the folder into place. {@link #close()} without a commit
 * deletes the temporary folder, so a failure midway leaves nothing that looks finished. An existing
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

  private final Path target;
  private final Path staging;
  private JsonNode modelJson;
  private boolean committed;

  private ArtifactWriter(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
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
    Path staging =
        abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID().toString());
    Files.createDirectory(staging);
    return new ArtifactWriter(abs, staging);
  }

  /** The final location. */
  public Path target() {
    return target;
  }

  /** Where file {@code name} is staged; write it before {@link #commit()}. */
  public Path path(String name) throws IOException {
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
    try (Stream<Path> files = Files.walk(staging)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String rel = staging.relativize(p).toString().replace('\\', '/');
        sums.put(rel, Digests.ofFile(p));
      }
    }
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("format", Artifact.FORMAT);
    ObjectNode files = manifest.putObject("files");
    sums.forEach((path, sha) -> files.putObject(path).put("sha256", sha));
    manifest.put("digest", Digests.ofListing(sums));
    JSON.writeValue(staging.resolve(Artifact.MANIFEST).toFile(), manifest);

    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      move(target, old);
    }
    move(staging, target);
    committed = true;
    if (old != null) {
      deleteTree(old);
    }
    return Artifact.open(target);
  }

  /** Deletes the staged files unless the artifact was committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      committed = true; // idempotent
      deleteTree(staging);
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
