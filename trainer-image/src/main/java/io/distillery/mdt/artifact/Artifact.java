package io.distillery.mdt.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A verified model artifact: a directory with {@code model.json}, {@code manifest.json} and any
 * other files (weights, reports, previews). {@link #open(Path)} checks the SHA-256 of every file
 * the manifest lists and the artifact digest before handing anything out.
 */
public final class Artifact {
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_JSON = "model.json";
  static final String FORMAT = "distillery-artifact/v1";

  private final Path dir;
  private final String digest;
  private final JsonNode modelJson;
  private final SortedSet<String> files;

  private Artifact(Path dir, String digest, JsonNode modelJson, SortedSet<String> files) {
    this.dir = dir;
    this.digest = digest;
    this.modelJson = modelJson;
    this.files = files;
  }

  /** Opens and verifies an artifact; names the missing or corrupt file otherwise. */
  public static Artifact open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no artifact directory");
    }
    Path manifestPath = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(manifestPath)) {
      throw new CorruptArtifactException(
          MANIFEST, dir + ": missing " + MANIFEST + " (not an artifact, or an unfinished one)");
    }
    JsonNode manifest;
    try {
      manifest = readJson(manifestPath);
    } catch (IOException e) {
      throw new CorruptArtifactException(
          MANIFEST, dir + ": " + MANIFEST + " is not valid JSON: " + e.getMessage());
    }
    JsonNode listed = manifest.path("files");
    String recorded = manifest.path("digest").asText("");
    if (!listed.isObject() || recorded.isEmpty()) {
      throw new CorruptArtifactException(
          MANIFEST, dir + ": " + MANIFEST + " lacks its 'files' object or 'digest'");
    }
    if (!listed.has(MODEL_JSON)) {
      throw new CorruptArtifactException(
          MODEL_JSON, dir + ": " + MANIFEST + " does not list " + MODEL_JSON);
    }
    SortedMap<String, String> sums = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = listed.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      String expected = e.getValue().path("sha256").asText("");
      Path file = dir.resolve(name).normalize();
      if (!file.startsWith(dir.normalize()) || name.equals(MANIFEST)) {
        throw new CorruptArtifactException(name, dir + ": manifest lists an illegal path " + name);
      }
      if (!Files.isRegularFile(file)) {
        throw new CorruptArtifactException(name, dir + ": missing file " + name);
      }
      String actual = Digests.ofFile(file);
      if (!actual.equals(expected)) {
        throw new CorruptArtifactException(
            name,
            dir
                + ": file "
                + name
                + " is corrupt (sha256 "
                + actual
                + ", manifest says "
                + expected
                + ")");
      }
      sums.put(name, actual);
    }
    String digest = Digests.ofListing(sums);
    if (!digest.equals(recorded)) {
      throw new CorruptArtifactException(
          MANIFEST,
          dir
              + ": "
              + MANIFEST
              + " digest "
              + recorded
              + " does not match its file list "
              + digest);
    }
    JsonNode model;
    try {
      model = readJson(dir.resolve(MODEL_JSON));
    } catch (IOException e) {
      throw new CorruptArtifactException(MODEL_JSON, dir + ": " + MODEL_JSON + " is not JSON");
    }
    return new Artifact(dir, digest, model, new TreeSet<>(sums.keySet()));
  }

  private static JsonNode readJson(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return ArtifactWriter.JSON.readTree(in);
    }
  }

  /** {@code sha256:<hex>} identifying the artifact's content. */
  public String digest() {
    return digest;
  }

  /** The caller's model description (architecture, sampling defaults). */
  public JsonNode modelJson() {
    return modelJson.deepCopy();
  }

  public Path dir() {
    return dir;
  }

  /** Names of the verified files (relative paths, {@code /}-separated), manifest excluded. */
  public SortedSet<String> files() {
    return new TreeSet<>(files);
  }

  /** Path of a verified file; unknown names are an error rather than a path to nothing. */
  public Path file(String name) {
    if (!files.contains(name)) {
      throw new IllegalArgumentException(
          "artifact " + dir + " has no file '" + name + "' (files: " + files + ")");
    }
    return dir.resolve(name);
  }

  /** Whether the artifact holds a file of that name. */
  public boolean has(String name) {
    return files.contains(name);
  }
}
