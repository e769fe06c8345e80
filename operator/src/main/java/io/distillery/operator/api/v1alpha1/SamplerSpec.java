package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Euler sampler of the teacher; unset fields take the trainer's defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SamplerSpec {
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Euler steps of the teacher's reference sampler (trainer default 25).")
  public Integer steps;

  @Min(0)
  @JsonPropertyDescription(
      "Classifier-free guidance strength w: v = (1 + w) v(c) - w v(null) (trainer default 3).")
  public Double cfgStrength;

  @Min(value = 0, inclusive = false)
  @JsonPropertyDescription(
      "Time-grid rescale r: t <- r t / (1 + (r - 1) t); 1 keeps the grid linear (trainer default"
          + " 1).")
  public Double rescaleT;
}
