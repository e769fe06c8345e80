package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state, written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription(
    "Observed state, written only by the operator: phase, conditions, progress and result.")
public class DistillationJobStatus {
  @JsonPropertyDescription(
      "Pending, Queued, Running, Evaluating, Succeeded, Failed or Suspended; computed from the"
          + " conditions.")
  public Phase phase;

  @JsonPropertyDescription(
      "Standard conditions: Progressing, Suspended, Complete, Failed (reasons in"
          + " operator/README.md).")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("When the trainer Job started (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the trainer Job finished (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("Trainer pods started so far (retries included).")
  public Integer attempts;

  @JsonPropertyDescription("Live training progress read from the trainer's /progress.")
  public ProgressStatus progress;

  @JsonPropertyDescription("The trainer's result: artifact, digest, metrics, speedup, gate.")
  public ResultStatus result;

  @JsonPropertyDescription(
      "Name of the batch/v1 Job running the trainer; set once it was created, after which the"
          + " spec is frozen.")
  public String trainerJob;
}
