package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Horizontal autoscaling of the stable serving Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.minReplicas <= self.maxReplicas",
    message = "autoscaling.minReplicas: must not exceed maxReplicas",
    fieldPath = ".minReplicas")
public class AutoscalingSpec {
  @Min(1)
  @Default("1")
  @JsonPropertyDescription("Fewest serving pods (default 1).")
  public Integer minReplicas;

  @Required
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most serving pods.")
  public Integer maxReplicas;

  @Min(1)
  @Max(100)
  @Default("70")
  @JsonPropertyDescription(
      "Average CPU utilisation (percent of the request) to aim for; default 70.")
  public Integer targetCPUUtilizationPercentage;
}
