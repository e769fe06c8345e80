package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One stage of a served two-stage pipeline. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServedStageStatus {
  @JsonPropertyDescription("`structure` or `appearance`.")
  public String stage;

  @JsonPropertyDescription("DistillationJob the stage came from (empty for a modelUri source).")
  public String source;

  @JsonPropertyDescription(
      "The stage's artifact URI (`pvc://<claim>/<path>` or `s3://<bucket>/<prefix>`).")
  public String model;

  @JsonPropertyDescription("The stage's artifact digest.")
  public String digest;

  public ServedStageStatus() {}

  public ServedStageStatus(String stage, String source, String model, String digest) {
    this.stage = stage;
    this.source = source;
    this.model = model;
    this.digest = digest;
  }
}
