package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * The sample shape and class count of a TorchScript teacher, which its file does not carry (trainer
 * config {@code model.channels}, {@code model.resolution}, {@code model.numClasses}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TeacherShapeSpec {
  @Required
  @Min(1)
  @Max(1024)
  @JsonPropertyDescription(
      "Channels C of a sample (C, R, R, R), e.g. 8 for TRELLIS latents; for the appearance stage"
          + " the feature channels on each occupied voxel (3 for the colours of the built-in"
          + " shapes).")
  public Integer channels;

  @Required
  @Min(1)
  @Max(256)
  @JsonPropertyDescription("Resolution R of a sample (C, R, R, R), e.g. 16.")
  public Integer resolution;

  @Required
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription(
      "Real classes of the condition; the module's null class (for CFG) is this number.")
  public Integer numClasses;
}
