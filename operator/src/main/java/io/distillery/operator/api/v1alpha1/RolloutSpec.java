package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Rollout of a new model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.canaryReplicas) && has(self.canaryPercent))",
    message = "rollout: set at most one of canaryReplicas or canaryPercent")
@ValidationRule(
    value =
        "self.strategy == 'Canary' || (!has(self.canaryReplicas) && !has(self.canaryPercent)"
            + " && !has(self.analysis))",
    message = "rollout: canaryReplicas, canaryPercent and analysis apply only to strategy Canary")
public class RolloutSpec {
  @Default("Rolling")
  @JsonPropertyDescription(
      "Rolling (default): the Deployment's rolling update. Canary: the new model runs beside the"
          + " current one behind the same Service, then is promoted or rolled back automatically.")
  public RolloutStrategy strategy;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Canary pods (default: canaryPercent, else 1).")
  public Integer canaryReplicas;

  @Min(1)
  @Max(99)
  @JsonPropertyDescription(
      "Canary pods as a percentage of replicas, rounded up, at least 1 (1-99).")
  public Integer canaryPercent;

  @JsonPropertyDescription("How the canary is judged before promotion.")
  public AnalysisSpec analysis;

  @Min(1)
  @Default("600")
  @JsonPropertyDescription(
      "Seconds a rollout may take: a canary not promoted by then is rolled back; a rolling update"
          + " past it is reported Degraded (default 600).")
  public Integer progressDeadlineSeconds;

  public RolloutStrategy strategyOrDefault() {
    return strategy == null ? RolloutStrategy.Rolling : strategy;
  }

  public AnalysisSpec analysisOrDefault() {
    return analysis == null ? new AnalysisSpec() : analysis;
  }

  public int progressDeadlineOrDefault() {
    return progressDeadlineSeconds == null ? 600 : progressDeadlineSeconds;
  }

  /** Canary pods for {@code replicas} stable pods. */
  public int canaryReplicasFor(int replicas) {
    if (canaryReplicas != null) {
      return canaryReplicas;
    }
    if (canaryPercent != null) {
      return Math.max(1, (int) Math.ceil(replicas * canaryPercent / 100.0));
    }
    return 1;
  }

  /** Canary analysis gates. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value =
          "!has(self.quality) || !has(self.quality.probes)"
              + " || self.quality.probes <= 4 * (has(self.windowSeconds) ? self.windowSeconds : 60)",
      message =
          "analysis: quality.probes must be at most 4 x windowSeconds (a probe set larger than the"
              + " window allows)")
  public static class AnalysisSpec {
    @Min(1)
    @Max(86400)
    @Default("60")
    @JsonPropertyDescription(
        "Seconds the ready canary is observed before the verdict (default 60).")
    public Integer windowSeconds;

    @Min(0)
    @Max(1)
    @Default("0.01")
    @JsonPropertyDescription(
        "Highest share of the canary's generate requests that may end in a server error (outcome"
            + " `error` or `unavailable` in `mdt_serve_requests_total`) during the window; default"
            + " 0.01.")
    public Double maxErrorRate;

    @JsonPropertyDescription(
        "Judge the canary's outputs against the stable model's with a probe Job (`mdt probe`);"
            + " absent: outputs are not judged.")
    public CanaryQualitySpec quality;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription(
        "Highest ratio of the canary pods' p99 latency of user requests over the stable pods' during"
            + " the window (1-100); absent: latency is not judged.")
    public Double maxLatencyRatio;

    @Min(1)
    @Default("20")
    @JsonPropertyDescription(
        "User requests each side must have answered in the window for latency to be judged"
            + " (default 20); fewer: latency is not judged, and the verdict says so.")
    public Integer minLatencyRequests;

    @Default("Rollback")
    @JsonPropertyDescription(
        "Rollback (default): a failed or inconclusive verdict deletes the canary. Pause: the canary"
            + " keeps running, nothing is promoted, until `distillery.io/canary-decision=promote` or"
            + " `=rollback` is annotated on the StudentDeployment.")
    public AnalysisFailure onFailure;

    public int minLatencyRequestsOrDefault() {
      return minLatencyRequests == null ? 20 : minLatencyRequests;
    }

    public AnalysisFailure onFailureOrDefault() {
      return onFailure == null ? AnalysisFailure.Rollback : onFailure;
    }

    public int windowOrDefault() {
      return windowSeconds == null ? 60 : windowSeconds;
    }

    public double maxErrorRateOrDefault() {
      return maxErrorRate == null ? 0.01 : maxErrorRate;
    }
  }
}
