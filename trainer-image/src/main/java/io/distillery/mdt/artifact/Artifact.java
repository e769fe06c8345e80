package io.distillery.mdt.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A verified model artifact: a directory with {@code model.json}, {@code manifest.json} and any
 * other files (weights, reports, previews). {@link #open(Path)} checks the SHA-256 of every file
 * the manifest lists and the artifact digest before handing anything out, and refuses a directory
 * holding any file the manifest does not list: an artifact is exactly what was published.
 *
 * <p>The digest identifies the model, not the run that made it. In format {@value #FORMAT} it
 * covers the files not marked {@code "record": true} (model.json and the weights and module it
 * names); records (provenance with the date and command, loss curves, evaluation reports with
 * latencies) are verified by their SHA-256 but are outside the digest, so the same training gives
 * the same digest. Format {@value #FORMAT_V1} (every file in the digest) still opens with its own
 * digest.
 */
public final class Artifact {
  public static final String MANIFEST = "manifest.json";
  public static final String MODEL_JSON = "model.json";
  static final String FORMAT = "distillery-artifact/v2";
  static final String FORMAT_V1 = "distillery-artifact/v1";

  private final Path dir;
  private final String digest;
  private final JsonNode modelJson;
  private final SortedSet<String> files;
  private final SortedSet<String> records;

  private Artifact(
      Path dir,
      String digest,
      JsonNode modelJson,
      SortedSet<String> files,
      SortedSet<String> records) {
    this.dir = dir;
    this.digest = digest;
    this.modelJson = modelJson;
    this.files = files;
    this.records = records;
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
    String format = manifest.path("format").asText("");
    boolean v1 = format.equals(FORMAT_V1);
    if (!v1 && !format.equals(FORMAT)) {
      throw new CorruptArtifactException(
          MANIFEST,
          dir
              + ": "
              + MANIFEST
              + " format is '"
              + format
              + "'; this mdt reads "
              + FORMAT_V1
              + " and "
              + FORMAT);
    }
    if (!listed.has(MODEL_JSON)) {
      throw new CorruptArtifactException(
          MODEL_JSON, dir + ": " + MANIFEST + " does not list " + MODEL_JSON);
    }
    SortedMap<String, String> sums = new TreeMap<>();
    SortedMap<String, String> digested = new TreeMap<>();
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
      boolean record = !v1 && e.getValue().path("record").asBoolean(false);
      if (record && name.equals(MODEL_JSON)) {
        throw new CorruptArtifactException(
            MODEL_JSON, dir + ": " + MANIFEST + " marks " + MODEL_JSON + " as a record");
      }
      if (!record) {
        digested.put(name, actual);
      }
    }
    refuseUnlisted(dir, sums.keySet());
    String digest = Digests.ofListing(digested);
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
    SortedSet<String> records = new TreeSet<>(sums.keySet());
    records.removeAll(digested.keySet());
    return new Artifact(dir, digest, model, new TreeSet<>(sums.keySet()), records);
  }

  /**
   * Fails naming the first file (or link, or other non-directory) under {@code dir} that the
   * manifest does not list: nothing unverified may be served as part of the artifact (e.g. a
   * report.json dropped in after publishing).
   */
  private static void refuseUnlisted(Path dir, Set<String> listed) throws IOException {
    SortedSet<String> unlisted = new TreeSet<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(name -> !name.equals(MANIFEST) && !listed.contains(name))
          .forEach(unlisted::add);
    }
    if (!unlisted.isEmpty()) {
      String first = unlisted.first();
      throw new CorruptArtifactException(
          first,
          dir
              + ": file "
              + first
              + " is not listed in "
              + MANIFEST
              + (unlisted.size() > 1 ? " (nor are " + (unlisted.size() - 1) + " more)" : "")
              + "; an artifact holds only the files it was published with: remove it, or"
              + " republish the artifact with it");
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return ArtifactWriter.JSON.readTree(in);
    }
  }

  /**
   * {@code sha256:<hex>} identifying the model: model.json and the files it needs, not the records
   * (see the class comment).
   */
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

  /** The verified files outside the digest (provenance, reports, previews). */
  public SortedSet<String> records() {
    return new TreeSet<>(records);
  }

  /** Whether the artifact holds a file of that name. */
  public boolean has(String name) {
    return files.contains(name);
  }
}
