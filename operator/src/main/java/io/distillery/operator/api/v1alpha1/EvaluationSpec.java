package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/** Evaluation of the result and the quality/speed gate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec {
  @Min(1)
  @JsonPropertyDescription("Generated samples per model for the metrics (trainer default 256).")
  public Integer samples;

  @JsonPropertyDescription(
      "Quality/speed gate: the job fails with GateFailed when the student misses it.")
  public GatesSpec gates;

  /** Gate thresholds; an unset one is not checked. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GatesSpec {
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription(
        "Student FD / teacher FD (at the reference steps) must not exceed this, e.g. 1.2.")
    public Double maxFdRatio;

    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Student speedup over the teacher must be at least this, e.g. 10.")
    public Double minSpeedup;
  }
}
