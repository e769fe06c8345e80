package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Distillation method, as the trainer names it. */
public enum Method {
  @JsonProperty("mdt")
  MDT,
  @JsonProperty("cm")
  CM
}
