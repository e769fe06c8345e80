package io.distillery.operator.common;

import io.distillery.operator.api.v1alpha1.S3Spec;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import java.util.Optional;

/**
 * A container the kubelet cannot start because the object-storage credentials Secret, or one of its
 * required keys, is missing: the kubelet's CreateContainerConfigError message names the Secret
 * ({@code secret "x" not found}, {@code couldn't find key k in Secret ns/x}).
 */
public final class CredentialsProblem {
  private CredentialsProblem() {}

  /** What to tell the user, or empty when {@code w} is not about the credentials Secret. */
  public static Optional<String> of(S3Spec s3, String namespace, ContainerStateWaiting w) {
    if (s3 == null
        || s3.credentialsSecret == null
        || w == null
        || !"CreateContainerConfigError".equals(w.getReason())
        || w.getMessage() == null) {
      return Optional.empty();
    }
    String secret = s3.credentialsSecret;
    String m = w.getMessage();
    boolean aboutIt =
        m.contains("\"" + secret + "\"") || m.contains("Secret " + namespace + "/" + secret);
    if (!aboutIt) {
      return Optional.empty();
    }
    return Optional.of(
        "the credentials Secret "
            + secret
            + " (spec.s3.credentialsSecret) is missing or incomplete: "
            + m
            + "; create it in namespace "
            + namespace
            + " with the keys "
            + S3Spec.ACCESS_KEY_ID
            + " and "
            + S3Spec.SECRET_ACCESS_KEY
            + " (optional: "
            + S3Spec.ENDPOINT
            + ", "
            + S3Spec.REGION
            + ", "
            + S3Spec.PATH_STYLE
            + ")");
  }
}
