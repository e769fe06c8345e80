package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Optimisation and loss settings (docs/algorithm.md). Unset fields take the trainer's defaults,
 * which the descriptions quote.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.lambdaVM) ? self.lambdaVM : 1.0) > 0.0"
            + " || (has(self.lambdaVD) ? self.lambdaVD : 1.0) > 0.0",
    message = "hyperparameters: at least one of lambdaVM and lambdaVD must be above zero")
public class HyperparametersSpec {
  @Min(1)
  @JsonPropertyDescription("Optimiser steps (trainer default 600).")
  public Integer maxSteps;

  @Min(1)
  @JsonPropertyDescription("Samples per step (trainer default 24).")
  public Integer batchSize;

  @Min(value = 0, inclusive = false)
  @JsonPropertyDescription("AdamW learning rate (trainer default 1e-5).")
  public Double learningRate;

  @Min(0)
  @JsonPropertyDescription("AdamW weight decay (trainer default 0).")
  public Double weightDecay;

  @Min(0)
  @JsonPropertyDescription("Linear learning-rate warm-up steps (trainer default 0).")
  public Integer warmupSteps;

  @Min(0)
  @Max(value = 1, inclusive = false)
  @JsonPropertyDescription("EMA rate of the exported weights, in [0, 1) (trainer default 0.999).")
  public Double emaRate;

  @Min(0)
  @JsonPropertyDescription("Weight of the Velocity Matching loss, >= 0 (trainer default 1).")
  public Double lambdaVM;

  @Min(0)
  @JsonPropertyDescription("Weight of the Velocity Distillation loss, >= 0 (trainer default 0.1).")
  public Double lambdaVD;

  @Min(0)
  @JsonPropertyDescription(
      "Teacher CFG strength inside the VM term (trainer default 3: the student learns the"
          + " guided teacher's transport; BENCHMARKS.md, re-tuning sweep).")
  public Double cfgTeacherVM;

  @Min(0)
  @JsonPropertyDescription(
      "Teacher CFG strength inside the VD term (trainer default 3); see cfgTeacherVM.")
  public Double cfgTeacherVD;

  @Min(value = 0, inclusive = false)
  @Max(value = 0.5, inclusive = false)
  @JsonPropertyDescription(
      "Interval delta of the discrete teacher Euler step, in (0, 0.5) (trainer default 0.01).")
  public Double interval;

  @JsonPropertyDescription(
      "Normalise the finite-difference du/dt per sample (trainer default false: normalised, the"
          + " target is almost the teacher's velocity and 1-step students stay blurred).")
  public Boolean dNorm;

  @JsonPropertyDescription(
      "Weight each sample's VM and VD residual by delta / (t + delta), making VM a regression"
          + " onto its fixed point (trainer default true; docs/algorithm.md).")
  public Boolean intervalWeighting;

  @JsonPropertyDescription(
      "Build the targets with the student's EMA weights, a target network (trainer default:"
          + " true for cm, false for mdt).")
  public Boolean emaTarget;

  @JsonPropertyDescription("Logit-normal time schedule.")
  public TimeScheduleSpec tSchedule;

  @JsonPropertyDescription("Adaptive global-norm gradient clipping.")
  public GradClipSpec gradClip;

  @JsonPropertyDescription("Random seed of initialisation, batches and noise (trainer default 42).")
  public Long seed;

  @Pattern("^(fp32|fp16)$")
  @JsonPropertyDescription(
      "Number format of the trained network's forward and backward passes: fp32 (trainer"
          + " default) or fp16, float16 compute over float32 master weights with dynamic loss"
          + " scaling (built-in networks; for GPU jobs, slower on the CPU). bf16 is not available.")
  public String precision;

  /** s = sigmoid(N(mean, std)). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TimeScheduleSpec {
    @JsonPropertyDescription("Mean of the logit-normal distribution (trainer default 1).")
    public Double mean;

    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Standard deviation, > 0 (trainer default 1).")
    public Double std;
  }

  /** Clip to min(maxNorm, percentile of the recent global norms). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GradClipSpec {
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Upper bound of the clip norm, > 0 (trainer default 1).")
    public Double maxNorm;

    @Min(value = 0, inclusive = false)
    @Max(100)
    @JsonPropertyDescription("Percentile (0-100] of recent norms (trainer default 95).")
    public Double percentile;

    @Min(1)
    @JsonPropertyDescription("Number of recent norms kept (trainer default 1000).")
    public Integer window;
  }
}
