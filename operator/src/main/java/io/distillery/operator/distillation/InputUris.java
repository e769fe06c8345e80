package io.distillery.operator.distillation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Teacher, dataset and feature-module locations the trainer pod can reach: {@code builtin:<name>},
 * {@code pvc://<claim>/<path>} (the claim is mounted read-only under {@link
 * DistillationNames#INPUTS_MOUNT}), {@code s3://<bucket>/<key>} (object storage, passed to the
 * trainer as is), {@code file:///<path>} or an absolute path inside the image.
 */
public final class InputUris {
  private static final Pattern CLAIM =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final String S3 = "s3://";
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]*[a-z0-9]");
  private static final Pattern IP_ADDRESS = Pattern.compile("[0-9]+(\\.[0-9]+){3}");

  private InputUris() {}

  /** A {@code pvc://} reference. */
  public record ClaimPath(String claim, String path) {}

  /** Why {@code uri} cannot be used, or empty when it can. {@code field} names it. */
  public static Optional<String> problem(String field, String uri) {
    if (uri == null || uri.isBlank()) {
      return Optional.of(field + ": must not be empty");
    }
    if (uri.startsWith("builtin:") || uri.startsWith("/") || uri.startsWith("file:///")) {
      return Optional.empty();
    }
    if (uri.startsWith(S3)) {
      return s3Problem(uri).map(p -> field + ": '" + uri + "' " + p);
    }
    if (uri.startsWith("pvc://")) {
      ClaimPath ref = claimPath(uri).orElse(null);
      if (ref == null || !CLAIM.matcher(ref.claim()).matches() || ref.claim().length() > 253) {
        return Optional.of(
            field + ": '" + uri + "' is not pvc://<claim>/<path> with a valid claim name");
      }
      if (("/" + ref.path() + "/").contains("/../")) {
        return Optional.of(field + ": '" + uri + "' must not leave the claim with '..'");
      }
      return Optional.empty();
    }
    int colon = uri.indexOf(':');
    String scheme = colon > 0 ? uri.substring(0, colon) : uri;
    return Optional.of(
        field
            + ": unsupported location '"
            + uri
            + "' (scheme '"
            + scheme
            + "'); use builtin:<name>, pvc://<claim>/<path>, s3://<bucket>/<prefix> or an absolute path in"
            + " the image");
  }

  /** Why an {@code s3://} URI is unusable (S3's bucket-name rules), or empty when it is fine. */
  static Optional<String> s3Problem(String uri) {
    String rest = uri.substring(S3.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.length() < 3 || bucket.length() > 63 || !BUCKET.matcher(bucket).matches()) {
      return Optional.of(
          "is not s3://<bucket>/<prefix> with a valid bucket name (3-63 characters: lowercase"
              + " letters, digits, '.' and '-', beginning and ending with a letter or digit)");
    }
    if (bucket.contains("..") || IP_ADDRESS.matcher(bucket).matches()) {
      return Optional.of("has a bucket name with '..' or in IP-address form, which S3 refuses");
    }
    if (key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("has a control character in its key");
    }
    return Optional.empty();
  }

  /** Whether {@code uri} is in object storage. */
  public static boolean isS3(String uri) {
    return uri != null && uri.startsWith(S3);
  }

  /** Parses {@code pvc://claim/path}; empty for any other URI. */
  public static Optional<ClaimPath> claimPath(String uri) {
    if (uri == null || !uri.startsWith("pvc://")) {
      return Optional.empty();
    }
    String rest = uri.substring("pvc://".length());
    int slash = rest.indexOf('/');
    String claim = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
    return claim.isEmpty() ? Optional.empty() : Optional.of(new ClaimPath(claim, path));
  }

  /**
   * The path the trainer reads for {@code uri}: a claim's mount (the output mount when it is the
   * output claim) or the URI itself.
   */
  public static String localPath(String uri, String outputClaim, String outputDirOnClaim) {
    if (uri.startsWith("file://")) {
      return uri.substring("file://".length());
    }
    return claimPath(uri)
        .map(
            ref -> {
              String root =
                  ref.claim().equals(outputClaim)
                      ? DistillationNames.OUTPUT_MOUNT
                      : DistillationNames.INPUTS_MOUNT + "/" + ref.claim();
              return ref.path().isEmpty() ? root : root + "/" + ref.path();
            })
        .orElse(uri);
  }
}
