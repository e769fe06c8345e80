package io.distillery.operator.serving;

import io.distillery.config.PairDigest;
import io.distillery.operator.api.v1alpha1.ServedStageStatus;
import io.distillery.operator.distillation.InputUris;
import java.util.List;

/**
 * A model a serving pod can load: a directory on a claim ({@code pvc://<claim>/<path>}), its
 * digest, and where it came from (a DistillationJob name, or null for an explicit URI).
 *
 * <p>For a two-stage pipeline from two sources, {@code uri} and {@code source} are the structure
 * stage's, {@code appearance} the other stage, and {@code digest} the {@link PairDigest} of both:
 * everything that keys a version on the digest (rollout plan, canary, rollback, pod annotation)
 * then treats the pair as one version.
 */
public record ServedModel(
    String uri, String digest, String source, String speedup, Pair appearance) {

  /** The mount of a second claim when the appearance stage lives on another claim. */
  public static final String APPEARANCE_MOUNT = "/var/lib/distillery/appearance";

  /** One stage artifact of a pair. */
  public record Stage(String uri, String digest, String source) {
    InputUris.ClaimPath claimPath() {
      return ServedModel.claimPath(uri);
    }
  }

  /** The appearance stage, and the structure stage's own digest (the pair's is the version). */
  public record Pair(String structureDigest, Stage stage) {}

  public ServedModel(String uri, String digest, String source, String speedup) {
    this(uri, digest, source, speedup, null);
  }

  /** A structure and an appearance stage served as one version. */
  public static ServedModel pair(Stage structure, Stage appearance, String speedup) {
    return new ServedModel(
        structure.uri(),
        PairDigest.of(structure.digest(), appearance.digest()),
        structure.source(),
        speedup,
        new Pair(structure.digest(), appearance));
  }

  public boolean isPair() {
    return appearance != null;
  }

  public InputUris.ClaimPath claimPath() {
    return claimPath(uri);
  }

  private static InputUris.ClaimPath claimPath(String uri) {
    return InputUris.claimPath(uri)
        .orElseThrow(() -> new IllegalStateException("not a pvc:// URI: " + uri));
  }

  /** Where the pod sees the artifact: the claim is mounted read-only at the model mount. */
  public String localPath() {
    return local(StudentNames.MODEL_MOUNT, claimPath().path());
  }

  /** Whether the appearance stage needs its own volume: it lives on another claim. */
  public boolean appearanceOnOwnClaim() {
    return isPair() && !appearance.stage().claimPath().claim().equals(claimPath().claim());
  }

  /** Where the pod sees the appearance stage: beside the structure, or on its own mount. */
  public String appearanceLocalPath() {
    String mount = appearanceOnOwnClaim() ? APPEARANCE_MOUNT : StudentNames.MODEL_MOUNT;
    return local(mount, appearance.stage().claimPath().path());
  }

  private static String local(String mount, String path) {
    return path.isEmpty() ? mount : mount + "/" + path;
  }

  /** Both stages for status.stages, structure first; null for one artifact. */
  public List<ServedStageStatus> stages() {
    if (!isPair()) {
      return null;
    }
    Stage a = appearance.stage();
    return List.of(
        new ServedStageStatus("structure", source, uri, appearance.structureDigest()),
        new ServedStageStatus("appearance", a.source(), a.uri(), a.digest()));
  }

  /**
   * {@code source@sha256:0123abcd} for the printer column; a pair: {@code
   * structure+appearance@sha256:0123abcd} (the pair's digest).
   */
  public String display() {
    String shortDigest = digest.length() > 15 ? digest.substring(0, 15) : digest;
    String from = source != null ? source : uri;
    if (isPair()) {
      Stage a = appearance.stage();
      from += "+" + (a.source() != null ? a.source() : a.uri());
    }
    return from + "@" + shortDigest;
  }
}
