package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Evaluation of the result and the quality/speed gate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec {
  @Min(1)
  @JsonPropertyDescription("Generated samples per model for the metrics (trainer default 256).")
  public Integer samples;

  @JsonPropertyDescription(
      "Quality/speed gate: the job fails with GateFailed when the student misses it.")
  public GatesSpec gates;

  @JsonPropertyDescription(
      "Features of the FD and coverage figures; unset: the built-in classifier for the built-in"
          + " shapes, the teacher's own features for other data.")
  public FeaturesSpec features;

  /** Gate thresholds; an unset one is not checked. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GatesSpec {
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription(
        "Student FD / teacher FD (at the reference steps), both measured on the evaluation"
            + " features (any data), must not exceed this, e.g. 1.2.")
    public Double maxFdRatio;

    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Student speedup over the teacher must be at least this, e.g. 10.")
    public Double minSpeedup;

    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription(
        "The student's mean relative L2 distance to the teacher's reference sample from the same"
            + " noise and condition must not exceed this at every step count, e.g. 0.2. Works"
            + " for any teacher.")
    public Double maxPairedError;

    @Min(value = 0, inclusive = false)
    @Max(1)
    @JsonPropertyDescription(
        "Occupancy data only (1 channel, filled where above 0): the mean IoU of the student's and"
            + " the teacher's grids from the same noise and condition must be at least this at"
            + " every step count, e.g. 0.8.")
    public Double minPairedIoU;
  }

  /** The feature extractor behind FD and coverage. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.uri) || has(self.digest) == self.uri.startsWith('pvc://')",
      message =
          "evaluation.features.digest: required (sha256:<64 hex>) for a pvc:// feature module,"
              + " and only for one",
      fieldPath = ".digest")
  public static class FeaturesSpec {
    public static final String CLASSIFIER = "builtin:classifier";
    public static final String TEACHER = "builtin:teacher";

    @Required
    @Pattern(
        "^(builtin:classifier|builtin:teacher"
            + "|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)$")
    @JsonPropertyDescription(
        "`builtin:classifier` (the shipped shape classifier: built-in shapes only),"
            + " `builtin:teacher` (the teacher's own pooled activations) or"
            + " `pvc://<claim>/<path>` of a TorchScript module computing features(x) -> (N, D) on"
            + " a claim in this namespace, mounted read-only.")
    public String uri;

    @Pattern("^sha256:[0-9a-f]{64}$")
    @JsonPropertyDescription(
        "SHA-256 of the module file at a pvc:// uri, `sha256:<64 hex>`, so that figures on"
            + " different features are never compared by mistake.")
    public String digest;
  }
}
