package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the probe Job measured of the canary against the stable model (status.canary.quality). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryQualityStatus {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String MEASURED = "Measured";
  public static final String INCONCLUSIVE = "Inconclusive";

  @JsonPropertyDescription("The probe Job, `<name>-probe-<first 8 hex of the canary digest>`.")
  public String probeJob;

  @JsonPropertyDescription(
      "Pending (Job not created yet), Running, Measured (the report's figures below) or"
          + " Inconclusive (no figures to judge; never promotes).")
  public String state;

  @JsonPropertyDescription("Probes the report covers.")
  public Integer probes;

  @JsonPropertyDescription("Share of the canary's probe samples with no filled voxel.")
  public Double emptyRate;

  @JsonPropertyDescription("Share of the stable model's probe samples with no filled voxel.")
  public Double stableEmptyRate;

  @JsonPropertyDescription(
      "Share of the canary's samples the shipped classifier puts in the asked class (when measured).")
  public Double classAccuracy;

  @JsonPropertyDescription("The same for the stable model's samples.")
  public Double stableClassAccuracy;

  @JsonPropertyDescription(
      "How far the canary's outputs lie from the stable model's by nearest neighbours, over how"
          + " far the stable model's own outputs at other seeds lie (about 1 for the same"
          + " distribution; mdt probe's report).")
  public Double distanceRatio;

  @JsonPropertyDescription("Feature space of distanceRatio: `classifier` or `occupancy`.")
  public String features;

  @JsonPropertyDescription("The probe's own line: what it measured, or why it is inconclusive.")
  public String message;

  /** Stable accuracy minus the canary's; null unless both were measured. */
  public Double accuracyDrop() {
    return classAccuracy == null || stableClassAccuracy == null
        ? null
        : stableClassAccuracy - classAccuracy;
  }
}
