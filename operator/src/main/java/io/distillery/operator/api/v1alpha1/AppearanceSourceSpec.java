package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the appearance stage of a served two-stage pipeline comes from; the same two ways as the
 * structure stage ({@link ModelSourceSpec}), a separate type because a CRD schema cannot nest
 * itself.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.distillationJobRef) != has(self.modelUri)",
    message =
        "source.appearance: set exactly one of distillationJobRef (a DistillationJob with"
            + " spec.stage appearance in this namespace) or modelUri (with digest)")
@ValidationRule(
    value = "has(self.modelUri) == has(self.digest)",
    message = "source.appearance.digest: required with modelUri, and only with modelUri",
    fieldPath = ".digest")
public class AppearanceSourceSpec {
  @Size(min = 1, max = 253)
  @JsonPropertyDescription(
      "Name of a DistillationJob in this namespace with `spec.stage: appearance`; its"
          + " status.result gives artifact and digest. The deployment waits until it has Succeeded"
          + " and passed its gate.")
  public String distillationJobRef;

  @Pattern(
      "^(pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?)$")
  @JsonPropertyDescription(
      "An appearance-stage artifact directory on a PersistentVolumeClaim in this namespace,"
          + " `pvc://<claim>/<path>`, mounted read-only (the structure's claim may be the same),"
          + " or an artifact prefix in object storage, `s3://<bucket>/<prefix>`, fetched by an"
          + " init container like the structure's.")
  public String modelUri;

  @Pattern("^sha256:[0-9a-f]{64}$")
  @JsonPropertyDescription(
      "Digest of the artifact at modelUri, `sha256:<64 hex>` (what `mdt serve` verifies).")
  public String digest;
}
