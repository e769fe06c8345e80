package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** The trainer's result JSON (termination message), as the operator reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResultStatus {
  @JsonPropertyDescription(
      "Student artifact: `pvc://<claim>/<path>` when on the output claim, the"
          + " `s3://<bucket>/<prefix>` the trainer uploaded it to with an object-storage output,"
          + " else as the trainer reported it.")
  public String artifact;

  @JsonPropertyDescription(
      "Artifact digest, `sha256:<hex>`: SHA-256 over model.json and the weights only (reports, dates and provenance are verified records outside it), so the same training gives the same digest and a StudentDeployment does not roll out a retrain with identical weights.")
  public String digest;

  @JsonPropertyDescription(
      "Digest of the teacher distilled: its artifact digest, or `sha256:<hex>` of a TorchScript"
          + " file. The student's model.json records it in `training.lineage` too.")
  public String teacherDigest;

  @JsonPropertyDescription(
      "Identity of the training data, `sha256:<hex>`: of the built-in generator's settings, of the"
          + " file, of a directory's listing of (path, size, SHA-256), or the structure model's"
          + " artifact digest (`mdt info --model` shows which).")
  public String datasetDigest;

  @JsonPropertyDescription(
      "The dataset the trainer read: `pvc://<claim>/<path>` for a path on a mounted input claim,"
          + " else as configured; absent when too long for the termination message.")
  public String datasetUri;

  @JsonPropertyDescription("Step counts the student was trained for.")
  public List<Integer> studentSteps;

  @JsonPropertyDescription(
      "Metrics by step count (\"1\", \"2\") and for the teacher (\"teacher\").")
  public Map<String, StepMetrics> metrics;

  @JsonPropertyDescription("Speedup over the teacher by student step count.")
  public Map<String, Double> speedup;

  @JsonPropertyDescription("Quality/speed gate verdict.")
  public GateStatus gate;

  @JsonPropertyDescription(
      "Features the FD and coverage figures were computed on: `classifier`, `teacher` or"
          + " `torchscript sha256:<hex>`; figures on different features are not comparable.")
  public String features;

  @JsonPropertyDescription("Headline figures for the printer columns.")
  public Summary summary;

  /** Quality and speed of one model. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StepMetrics {
    @JsonPropertyDescription(
        "Frechet distance to the held-out data on the evaluation features (lower is better).")
    public Double fd;

    @JsonPropertyDescription(
        "Frechet distance to the teacher's reference samples on the evaluation features.")
    public Double fdToTeacher;

    @JsonPropertyDescription("Class accuracy of the samples under the reference classifier.")
    public Double classAccuracy;

    @JsonPropertyDescription(
        "Mean relative L2 distance to the teacher's sample from the same noise and condition.")
    public Double pairedError;

    @JsonPropertyDescription("Mean squared error to the teacher's sample, per value.")
    public Double pairedMse;

    @JsonPropertyDescription("Mean cosine similarity to the teacher's sample.")
    public Double pairedCosine;

    @JsonPropertyDescription("Mean IoU with the teacher's grid (occupancy data only).")
    public Double pairedIoU;

    @JsonPropertyDescription(
        "Appearance stage only: mean squared error of the generated colours on the occupied"
            + " voxels of held-out built-in structures against their procedural ground truth (the"
            + " nearer of its palettes; lower is better, about 0 for correct colours).")
    public Double appearanceError;

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

    @JsonPropertyDescription("Measured paired error of the worst step count.")
    public Double pairedError;

    @JsonPropertyDescription("Measured paired IoU of the worst step count.")
    public Double pairedIoU;

    @JsonPropertyDescription("Threshold from spec.evaluation.gates.maxPairedError.")
    public Double maxPairedError;

    @JsonPropertyDescription("Threshold from spec.evaluation.gates.minPairedIoU.")
    public Double minPairedIoU;

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

    @JsonPropertyDescription(
        "The figure of each quality gate set (else the FD ratio or paired error measured) and"
            + " the gate verdict, e.g. `fd 1.08x pass`, `err 0.12 iou 0.91 fail`.")
    public String quality;
  }
}
