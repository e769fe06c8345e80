package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * How the pods reach object storage ({@code s3://} locations). The operator only names the Secret
 * in the pods' env (secretKeyRef); it never reads it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Spec {
  /** The keys of the credentials Secret and the env var of mdt each one fills. */
  public static final String ACCESS_KEY_ID = "accessKeyId";

  public static final String SECRET_ACCESS_KEY = "secretAccessKey";
  public static final String ENDPOINT = "endpoint";
  public static final String REGION = "region";
  public static final String PATH_STYLE = "pathStyle";

  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription(
      "Secret in this namespace with the object-storage connection: keys `accessKeyId` and"
          + " `secretAccessKey` (required), `endpoint` (e.g. `http://seaweedfs:8333`; unset: AWS),"
          + " `region` (default us-east-1) and `pathStyle` (`true`/`false`; default true with an"
          + " endpoint). The pods get them as env vars (secretKeyRef); the operator never reads"
          + " the Secret. Unset: the pods use the S3 client's default credentials chain (e.g."
          + " workload identity).")
  public String credentialsSecret;
}
