package io.distillery.operator.serving;

import io.distillery.config.PairDigest;
import io.distillery.operator.api.v1alpha1.ServedStageStatus;
import io.distillery.operator.distillation.InputUris;
import java.util.List;

/**
 * A model a serving pod can load: a directory on a claim ({@code pvc://<claim>/<path>}) or a prefix
 * in object storage ({@code s3://<bucket>/<prefix>}, fetched into an emptyDir), its digest, and
 * where it came from (a DistillationJob name, or null for an explicit URI).
 *
 * <p>For a two-stage pipeline from two sources, {@code uri} and {@code source} are the structure
 * stage's, {@code appearance} the other stage, and {@code digest} the {@link PairDigest} of both:
 * everything that keys a version on the digest (rollout plan, canary, rollback, pod annotation)
 * then treats the pair as one version.
 */
public record ServedModel(
    String uri, String digest, String source, String speedup, Pair appearance) {

  /** Where the fetch init containers put the stages of an {@code s3://} model. */
  public static final String FETCHED_STRUCTURE = StudentNames.FETCH_MOUNT + "/structure";

  public static final String FETCHED_APPEARANCE = StudentNames.FETCH_MOUNT + "/appearance";

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

  /** Whether the (structure) model is fetched from object storage rather than mounted. */
  public boolean fetched() {
    return InputUris.isS3(uri);
  }

  /** Whether the appearance stage of a pair is fetched from object storage. */
  public boolean appearanceFetched() {
    return isPair() && InputUris.isS3(appearance.stage().uri());
  }

  /** The (structure) stage's own digest: what {@code mdt fetch} verifies. */
  public String structureDigest() {
    return isPair() ? appearance.structureDigest() : digest;
  }

  /**
   * Where the pod sees the artifact: the claim is mounted read-only at the model mount, or the
   * fetched copy in the emptyDir.
   */
  public String localPath() {
    return fetched() ? FETCHED_STRUCTURE : local(StudentNames.MODEL_MOUNT, claimPath().path());
  }

  /**
   * Whether the appearance stage needs its own volume: it lives on another claim than the structure
   * (or the structure is on none).
   */
  public boolean appearanceOnOwnClaim() {
    return isPair()
        && !appearanceFetched()
        && (fetched() || !appearance.stage().claimPath().claim().equals(claimPath().claim()));
  }

  /**
   * Where the pod sees the appearance stage: beside the structure, on its own mount, or fetched.
   */
  public String appearanceLocalPath() {
    if (appearanceFetched()) {
      return FETCHED_APPEARANCE;
    }
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
