package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which flow of the two-stage generator a job distills, as the trainer names it. */
public enum Stage {
  @JsonProperty("structure")
  STRUCTURE,
  @JsonProperty("appearance")
  APPEARANCE
}
