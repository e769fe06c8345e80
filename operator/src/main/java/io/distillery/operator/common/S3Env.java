package io.distillery.operator.common;

import io.distillery.operator.api.v1alpha1.S3Spec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.List;

/**
 * The env vars through which mdt reaches object storage, each from a key of the credentials Secret
 * (secretKeyRef): the kubelet resolves them, so the operator never reads the Secret. Without a
 * Secret none are set and the S3 client falls back to its default credentials chain.
 */
public final class S3Env {
  public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  public static final String ENDPOINT = "AWS_ENDPOINT_URL_S3";
  public static final String REGION = "AWS_REGION";
  public static final String PATH_STYLE = "DISTILLERY_S3_PATH_STYLE";

  private S3Env() {}

  /** The env of a container that talks to object storage; empty without a credentials Secret. */
  public static List<EnvVar> of(S3Spec s3) {
    if (s3 == null || s3.credentialsSecret == null) {
      return List.of();
    }
    String secret = s3.credentialsSecret;
    return List.of(
        fromKey(ACCESS_KEY_ID, secret, S3Spec.ACCESS_KEY_ID, false),
        fromKey(SECRET_ACCESS_KEY, secret, S3Spec.SECRET_ACCESS_KEY, false),
        fromKey(ENDPOINT, secret, S3Spec.ENDPOINT, true),
        fromKey(REGION, secret, S3Spec.REGION, true),
        fromKey(PATH_STYLE, secret, S3Spec.PATH_STYLE, true));
  }

  private static EnvVar fromKey(String name, String secret, String key, boolean optional) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        // Required keys are not marked optional, so a missing one stops the pod with a clear
        // CreateContainerConfigError rather than a confusing authentication failure later.
        .withOptional(optional ? Boolean.TRUE : null)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
