package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** The trainer's result JSON (termination message), as the operator reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResultStatus {
  @JsonPropertyDescription(
      "Student artifact: `pvc://<claim>/<path>` when on the output claim, else as the trainer"
          + " reported it.")
  public String artifact;

  @JsonPropertyDescription("SHA-256 digest of the artifact's manifest, `sha256:<hex>`.")
  public String digest;

  @JsonPropertyDescription("Step counts the student was trained for.")
  public List<Integer> studentSteps;

  @JsonPropertyDescription(
      "Metrics by step count (\"1\", \"2\") and for the teacher (\"teacher\").")
  public Map<String, StepMetrics> metrics;

  @JsonPropertyDescription("Speedup over the teacher by student step count.")
  public Map<String, Double> speedup;

  @JsonPropertyDescription("Quality/speed gate verdict.")
  public GateStatus gate;

  @JsonPropertyDescription("Headline figures for the printer columns.")
  public Summary summary;

  /** Quality and speed of one model. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StepMetrics {
    @JsonPropertyDescription("Frechet distance on classifier features (lower is better).")
    public Double fd;

    @JsonPropertyDescription("Class accuracy of the samples under the reference classifier.")
    public Double classAccuracy;

    @JsonPropertyDescription("Network evaluations per sample.")
    public Integer nfe;

    @JsonPropertyDescription("Latency at batch 1 in milliseconds.")
    public Double latencyMsBatch1;

    @JsonPropertyDescription("Samples per second at a large batch.")
    public Double throughputPerSec;
  }

  /** Gate verdict. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GateStatus {
    @JsonPropertyDescription("Whether the student passed the gate.")
    public Boolean passed;

    @JsonPropertyDescription("Measured student FD / teacher FD.")
    public Double fdRatio;

    @JsonPropertyDescription("Measured speedup.")
    public Double speedup;

    @JsonPropertyDescription("Threshold from spec.evaluation.gates.maxFdRatio.")
    public Double maxFdRatio;

    @JsonPropertyDescription("Threshold from spec.evaluation.gates.minSpeedup.")
    public Double minSpeedup;

    @JsonPropertyDescription("Why the gate failed, in the trainer's words.")
    public String reason;
  }

  /** What {@code kubectl get} shows. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Summary {
    @JsonPropertyDescription(
        "Speedup of the fewest-step student over the teacher, with its step count, e.g."
            + " `21.4x@1`.")
    public String bestSpeedup;

    @JsonPropertyDescription("FD ratio and gate verdict, e.g. `fd 1.08x pass`.")
    public String quality;
  }
}
