package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/** A snapshot of the trainer's {@code GET /progress}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {
  @JsonPropertyDescription("The trainer's own phase: training, evaluating or done.")
  public String trainerPhase;

  @JsonPropertyDescription("Optimiser steps done.")
  public Long step;

  @JsonPropertyDescription("Optimiser steps planned.")
  public Long maxSteps;

  @JsonPropertyDescription("Percent done, 0-100.")
  public Integer percent;

  @JsonPropertyDescription("Latest loss values by name (vm, vd, cm, ...).")
  public Map<String, Double> losses;

  @JsonPropertyDescription("Training throughput in samples per second.")
  public Double samplesPerSec;

  @JsonPropertyDescription("Estimated seconds to finish training.")
  public Long etaSeconds;

  @JsonPropertyDescription("When the trainer took this snapshot (RFC 3339).")
  public String updatedAt;

  @JsonPropertyDescription(
      "True when the snapshot is old: the trainer stopped answering or stopped updating it.")
  public Boolean stale;

  @JsonPropertyDescription(
      "Progress for the printer column, e.g. `42%` or `42% (stale)`; `no progress yet` or `unreachable` while the trainer runs but its `/progress` has not answered.")
  public String display;
}
