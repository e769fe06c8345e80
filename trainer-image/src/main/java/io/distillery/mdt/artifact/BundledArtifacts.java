package io.distillery.mdt.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;

/**
 * Artifacts shipped inside the program under {@code src/main/resources/models/NAME/}. The files the
 * manifest lists (and only those: the resource folder also holds notes such as {@code
 * TRAINED_WITH.md}, which {@link Artifact#open} would refuse as unlisted) are copied to a temporary
 * directory, from a jar or a class directory alike, and verified there.
 */
public final class BundledArtifacts {
  private BundledArtifacts() {}

  /** Opens the bundled artifact {@code models/NAME}. */
  public static Artifact open(String name) throws IOException {
    return open(name, BundledArtifacts.class.getClassLoader());
  }

  /** Opens {@code models/NAME} as found by {@code loader}. */
  public static Artifact open(String name, ClassLoader loader) throws IOException {
    String base = "models/" + name + "/";
    URL manifest = loader.getResource(base + Artifact.MANIFEST);
    if (manifest == null) {
      throw new NoSuchFileException(
          "classpath:" + base, null, "no bundled artifact '" + name + "' in this build");
    }
    Path dir = Files.createTempDirectory("mdt-" + name + "-");
    dir.toFile().deleteOnExit();
    JsonNode files;
    try (InputStream in = manifest.openStream()) {
      files = ArtifactWriter.JSON.readTree(in).path("files");
    }
    copy(loader, base + Artifact.MANIFEST, dir.resolve(Artifact.MANIFEST));
    for (Iterator<String> it = files.fieldNames(); it.hasNext(); ) {
      String file = it.next();
      Path to = dir.resolve(file).normalize();
      if (!to.startsWith(dir)) {
        throw new CorruptArtifactException(file, "bundled manifest lists an illegal path " + file);
      }
      copy(loader, base + file, to);
    }
    return Artifact.open(dir);
  }

  private static void copy(ClassLoader loader, String resource, Path to) throws IOException {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new CorruptArtifactException(
            resource, "bundled artifact file missing from the classpath: " + resource);
      }
      Files.createDirectories(to.getParent());
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
      to.toFile().deleteOnExit();
    }
  }
}
