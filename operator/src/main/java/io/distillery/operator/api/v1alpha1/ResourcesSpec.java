package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.Quantity;

/** Compute resources of the trainer pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {
  @Min(0)
  @Max(64)
  @JsonPropertyDescription(
      "GPUs (requests = limits of the extended resource); 0 trains on the CPU (default 0).")
  public Integer gpus;

  @Pattern(
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")
  @JsonPropertyDescription(
      "Extended resource name of the GPUs; defaults to the operator's setting (nvidia.com/gpu).")
  public String gpuResourceName;

  @JsonPropertyDescription("CPU request, e.g. `2` or `500m`.")
  public Quantity cpu;

  @JsonPropertyDescription("Memory request and limit, e.g. `8Gi`; a trainer above it is OOMKilled.")
  public Quantity memory;

  public int gpusOrZero() {
    return gpus == null ? 0 : gpus;
  }
}
