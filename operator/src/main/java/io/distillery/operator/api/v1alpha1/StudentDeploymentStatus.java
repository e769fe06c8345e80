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
    "Observed state, written only by the operator: phase, conditions, the model served and any canary.")
public class StudentDeploymentStatus {
  @JsonPropertyDescription(
      "Pending, Progressing, Available, Degraded or RolledBack; computed from the conditions.")
  public StudentPhase phase;

  @JsonPropertyDescription(
      "Standard conditions: SourceReady, Available, Progressing (reasons in operator/README.md).")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "In-cluster URL of the Service, `http://<service>.<namespace>.svc:<port>`.")
  public String url;

  @JsonPropertyDescription("Ready stable serving pods.")
  public Integer readyReplicas;

  @JsonPropertyDescription("Ready / desired stable pods, e.g. `2/3` (printer column).")
  public String ready;

  @JsonPropertyDescription(
      "Model URI the stable Deployment serves (`pvc://<claim>/<path>` or `s3://<bucket>/<prefix>`).")
  public String currentModel;

  @JsonPropertyDescription(
      "Digest of the model the stable Deployment serves; for two stages (spec.source.appearance)"
          + " the pair's: `sha256:` and the hex SHA-256 of `structure <digest>\\nappearance"
          + " <digest>\\n`.")
  public String currentDigest;

  @JsonPropertyDescription("Digest served before the last promotion or rolling update.")
  public String previousDigest;

  @JsonPropertyDescription(
      "DistillationJob the current model came from (empty for a modelUri source).")
  public String currentSource;

  @JsonPropertyDescription(
      "The DistillationJob spec.source.distillationJobSelector resolves to: the newest matching"
          + " job that Succeeded and passed its gate (it becomes currentSource once rolled out;"
          + " absent while none passes and without a selector).")
  public String selectedSource;

  @JsonPropertyDescription(
      "Matching DistillationJobs newer than selectedSource that have not finished yet, newest"
          + " first (at most 5); the newest to succeed and pass its gate is rolled out.")
  public List<String> pendingSources;

  @JsonPropertyDescription(
      "Matching DistillationJobs newer than selectedSource that will not be served (failed,"
          + " gate failed, no usable artifact, wrong stage), newest first (at most 5), each with"
          + " the reason; each gets one CandidateSkipped event.")
  public List<SkippedSourceStatus> skippedSources;

  @JsonPropertyDescription(
      "The DistillationJob (or, for a modelUri source, the model) being rolled out now: the live"
          + " canary's, or the stable Deployment's new model while its rolling update runs;"
          + " absent otherwise (printer column).")
  public String rollingOut;

  @JsonPropertyDescription(
      "The stages of the served two-stage pipeline when they come from two sources"
          + " (spec.source.appearance), structure first, each with source, model and digest;"
          + " absent for one artifact (for a pipeline artifact the serving pods' /v1/model lists"
          + " its stages).")
  public List<ServedStageStatus> stages;

  @JsonPropertyDescription("Source and short digest of the served model (printer column).")
  public String model;

  @JsonPropertyDescription("Speedup of the served student over its teacher, e.g. `21.4x@1`.")
  public String speedup;

  @JsonPropertyDescription("The latest canary and its verdict; absent before the first canary.")
  public CanaryStatus canary;

  /** A canary rollout. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CanaryStatus {
    @JsonPropertyDescription(
        "Progressing, Analysing, Paused (a failed or inconclusive verdict with onFailure Pause:"
            + " waits for distillery.io/canary-decision), Promoted, RolledBack, or Superseded (the"
            + " source changed before a verdict).")
    public String state;

    @JsonPropertyDescription("Model URI of the canary.")
    public String model;

    @JsonPropertyDescription("Digest of the canary's model.")
    public String digest;

    @JsonPropertyDescription("DistillationJob the canary's model came from.")
    public String source;

    @JsonPropertyDescription("The canary's stages, as status.stages.")
    public List<ServedStageStatus> stages;

    @JsonPropertyDescription("Speedup of the canary's student, e.g. `21.4x@1`.")
    public String speedup;

    @JsonPropertyDescription("Canary pods wanted.")
    public Integer replicas;

    @JsonPropertyDescription("Ready canary pods.")
    public Integer readyReplicas;

    @JsonPropertyDescription("When the canary was created (RFC 3339).")
    public String startTime;

    @JsonPropertyDescription("When every canary pod was ready and the analysis window began.")
    public String analysisStartTime;

    @JsonPropertyDescription("Canary generate requests counted at the start of the window.")
    public Long baselineRequests;

    @JsonPropertyDescription("Canary server errors counted at the start of the window.")
    public Long baselineErrors;

    @JsonPropertyDescription("Generate requests the canary answered during the window so far.")
    public Long requests;

    @JsonPropertyDescription("Server errors (outcome error/unavailable) during the window so far.")
    public Long errors;

    @JsonPropertyDescription("errors / requests during the window (0 without requests).")
    public Double errorRate;

    @JsonPropertyDescription(
        "What the probe Job measured (spec.rollout.analysis.quality); absent when not judged.")
    public CanaryQualityStatus quality;

    @JsonPropertyDescription(
        "p99 latency against the stable pods' (spec.rollout.analysis.maxLatencyRatio); absent when"
            + " not judged.")
    public CanaryLatencyStatus latency;

    @JsonPropertyDescription(
        "Why the verdict was taken: passed, error_rate, empty_rate, accuracy_drop, distance_ratio,"
            + " latency_ratio, inconclusive, deadline or manual.")
    public String reason;

    @JsonPropertyDescription(
        "Why the canary was promoted, paused or rolled back, with the figures.")
    public String message;
  }
}
