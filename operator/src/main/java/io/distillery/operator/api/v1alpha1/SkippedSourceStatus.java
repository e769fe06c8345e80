package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A DistillationJob the source selector matched but will not serve, and why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SkippedSourceStatus {
  @JsonPropertyDescription("The DistillationJob's name.")
  public String name;

  @JsonPropertyDescription(
      "Why it is skipped, a SourceReady reason: SourceFailed, SourceGateFailed, SourceInvalid or"
          + " SourceWrongStage.")
  public String reason;

  @JsonPropertyDescription("What that reason says about this job.")
  public String message;

  public SkippedSourceStatus() {}

  public SkippedSourceStatus(String name, String reason, String message) {
    this.name = name;
    this.reason = reason;
    this.message = message;
  }
}
