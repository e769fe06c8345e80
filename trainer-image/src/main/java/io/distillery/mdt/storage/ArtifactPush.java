package io.distillery.mdt.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.artifact.Artifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Publishes a verified local artifact under an {@code s3://} prefix: every file first, {@code
 * manifest.json} last, so a reader (and {@link ArtifactFetch}) never takes a half-uploaded prefix
 * for an artifact. A prefix already holding another artifact is refused rather than overwritten:
 * something may be serving it by digest.
 */
public final class ArtifactPush {
  private ArtifactPush() {}

  /** What a push did. */
  public enum Outcome {
    PUSHED,
    ALREADY_PRESENT
  }

  /** Verifies {@code dir} and uploads it to {@code to}. */
  public static Outcome push(ObjectStore store, Path dir, S3Location to) throws IOException {
    Artifact artifact = Artifact.open(dir);
    if (store.list(to).stream().anyMatch(o -> o.name().equals(Artifact.MANIFEST))) {
      String present = remoteDigest(store, to.child(Artifact.MANIFEST));
      if (present.equals(artifact.digest())) {
        return Outcome.ALREADY_PRESENT;
      }
      throw new InvalidConfigException(
          "--to: "
              + to
              + " already holds another artifact ("
              + present
              + "); push to a new prefix (a deployment may be serving that one by its digest)");
    }
    store.uploadTree(artifact.dir(), to, Artifact.MANIFEST);
    return Outcome.PUSHED;
  }

  private static String remoteDigest(ObjectStore store, S3Location manifest) throws IOException {
    Path tmp = Files.createTempFile("mdt-push-manifest", ".json");
    try {
      store.download(manifest, tmp);
      return new ObjectMapper().readTree(tmp.toFile()).path("digest").asText("(no digest)");
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
