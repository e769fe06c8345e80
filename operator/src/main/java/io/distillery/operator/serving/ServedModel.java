package io.distillery.operator.serving;

import io.distillery.operator.distillation.InputUris;

/**
 * A model a serving pod can load: a directory on a claim ({@code pvc://<claim>/<path>}), its
 * digest, and where it came from (a DistillationJob name, or null for an explicit URI).
 */
public record ServedModel(String uri, String digest, String source, String speedup) {

  public InputUris.ClaimPath claimPath() {
    return InputUris.claimPath(uri)
        .orElseThrow(() -> new IllegalStateException("not a pvc:// URI: " + uri));
  }

  /** Where the pod sees the artifact: the claim is mounted read-only at the model mount. */
  public String localPath() {
    String path = claimPath().path();
    return path.isEmpty() ? StudentNames.MODEL_MOUNT : StudentNames.MODEL_MOUNT + "/" + path;
  }

  /** {@code source@sha256:0123abcd} for the printer column. */
  public String display() {
    String shortDigest = digest.length() > 15 ? digest.substring(0, 15) : digest;
    String from = source != null ? source : uri;
    return from + "@" + shortDigest;
  }
}
