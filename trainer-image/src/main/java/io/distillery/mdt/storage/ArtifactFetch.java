package io.distillery.mdt.storage;

import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code mdt fetch}: an artifact from object storage into a directory, verified (every file against
 * manifest.json, the artifact digest against the expected one) in a temporary sibling and renamed
 * into place, so the directory either holds the verified artifact or nothing.
 */
public final class ArtifactFetch {
  private ArtifactFetch() {}

  /** What a fetch did. */
  public enum Outcome {
    FETCHED,
    ALREADY_PRESENT
  }

  public static Outcome fetch(ObjectStore store, S3Location uri, String digest, Path dir)
      throws IOException {
    if (isNonEmptyDirectory(dir)) {
      return alreadyPresent(uri, digest, dir);
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InvalidConfigException("--to " + dir + ": exists and is not a directory");
    }
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve("." + dir.getFileName() + ".fetch-" + UUID.randomUUID());
    try {
      store.downloadPrefix(uri, tmp);
      verify(uri, digest, tmp);
      Files.deleteIfExists(dir); // an empty directory
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      return Outcome.FETCHED;
    } finally {
      CheckpointMirror.deleteTree(tmp);
    }
  }

  private static Outcome alreadyPresent(S3Location uri, String digest, Path dir)
      throws IOException {
    Artifact present;
    try {
      present = Artifact.open(dir);
    } catch (IOException e) {
      throw new InvalidConfigException(
          "--to " + dir + ": not empty and not a verified artifact (" + e.getMessage() + ")");
    }
    if (!present.digest().equals(digest)) {
      throw new InvalidConfigException(
          "--to "
              + dir
              + ": already holds artifact "
              + present.digest()
              + ", not "
              + digest
              + " (from "
              + uri
              + ")");
    }
    return Outcome.ALREADY_PRESENT;
  }

  private static void verify(S3Location uri, String digest, Path dir) throws IOException {
    Artifact artifact;
    try {
      artifact = Artifact.open(dir);
    } catch (CorruptArtifactException e) {
      throw new InvalidStorageInputException(
          uri + ": not a valid artifact: " + e.getMessage().replace(dir + ": ", ""), e);
    }
    if (!artifact.digest().equals(digest)) {
      throw new InvalidStorageInputException(
          uri + ": artifact digest is " + artifact.digest() + ", expected " + digest);
    }
  }

  private static boolean isNonEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    }
  }
}
