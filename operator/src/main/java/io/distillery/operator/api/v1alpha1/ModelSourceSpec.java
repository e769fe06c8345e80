package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Where the served model comes from: a DistillationJob by name or by label selector, one model URI,
 * a pipeline artifact, or (with {@link #appearance}) the structure stage of a two-stage pipeline
 * whose appearance stage is given there.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.distillationJobRef), has(self.distillationJobSelector), has(self.modelUri)]"
            + ".filter(x, x).size() == 1",
    message =
        "source: set exactly one of distillationJobRef (a DistillationJob in this namespace),"
            + " distillationJobSelector (the newest passing DistillationJob it matches) or"
            + " modelUri (with digest)")
@ValidationRule(
    value =
        "!has(self.distillationJobSelector)"
            + " || (has(self.distillationJobSelector.matchLabels)"
            + " && size(self.distillationJobSelector.matchLabels) > 0)"
            + " || (has(self.distillationJobSelector.matchExpressions)"
            + " && size(self.distillationJobSelector.matchExpressions) > 0)",
    message =
        "source.distillationJobSelector: must not be empty (it would follow every DistillationJob"
            + " in the namespace); give matchLabels or matchExpressions",
    fieldPath = ".distillationJobSelector")
@ValidationRule(
    value = "has(self.modelUri) == has(self.digest)",
    message = "source.digest: required with modelUri, and only with modelUri",
    fieldPath = ".digest")
public class ModelSourceSpec {
  @Size(min = 1, max = 253)
  @JsonPropertyDescription(
      "Name of a DistillationJob in this namespace; its status.result gives artifact and digest."
          + " The deployment waits until that job has Succeeded and passed its gate. Point it at a"
          + " newer job to roll the new student out. With `appearance` set it names the structure"
          + " stage (a job with `spec.stage: structure`).")
  public String distillationJobRef;

  @JsonPropertyDescription(
      "Follow the newest DistillationJob in this namespace whose labels match (matchLabels,"
          + " matchExpressions; not empty): newest by metadata.creationTimestamp, a tie by the"
          + " greater name. Only a job that has Succeeded and passed its gate is served; newer"
          + " jobs still running are pending (status.pendingSources), newer ones that failed are"
          + " skipped (status.skippedSources, a CandidateSkipped event). Deleting the served job"
          + " goes back to the newest remaining one. With `appearance` set it picks the structure"
          + " stage (a job with `spec.stage: structure`).")
  public LabelSelector distillationJobSelector;

  @Pattern(
      "^(pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?)$")
  @JsonPropertyDescription(
      "A model artifact directory on a PersistentVolumeClaim in this namespace,"
          + " `pvc://<claim>/<path>` (mounted read-only), or an artifact prefix in object storage,"
          + " `s3://<bucket>/<prefix>` (an init container `fetch` downloads and verifies it into"
          + " an emptyDir before `mdt serve` starts; see spec.s3). A pipeline artifact (`mdt pipeline`) is"
          + " served as such: its stages must be on the same claim, given relative to it. With"
          + " `appearance` set it is the structure stage's artifact.")
  public String modelUri;

  @Pattern("^sha256:[0-9a-f]{64}$")
  @JsonPropertyDescription(
      "Digest of the artifact at modelUri, `sha256:<64 hex>` (what `mdt serve` verifies).")
  public String digest;

  @JsonPropertyDescription(
      "The appearance stage of a two-stage pipeline served from two artifacts: the pods run `mdt"
          + " serve --model <structure> --appearance <appearance>`. The pair is one version:"
          + " its digest (status.currentDigest) is derived from both stage digests, so a change"
          + " of either stage rolls out (or canaries, or rolls back) the pair as a whole.")
  public AppearanceSourceSpec appearance;
}
