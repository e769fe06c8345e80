package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.ArrayList;
import java.util.List;

/**
 * What to distill and how to run it. Training settings left out take the trainer's defaults (the
 * {@code TrainerConfig} of module trainer-config), so the CRD never restates them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.evaluation) || !has(self.evaluation.gates)"
            + " || !has(self.evaluation.gates.minPairedIoU) || !has(self.teacher.shape)"
            + " || self.teacher.shape.channels == 1",
    message =
        "evaluation.gates.minPairedIoU: IoU needs occupancy data (1 channel); this teacher's"
            + " samples have teacher.shape.channels channels, not 1 (gate on maxPairedError"
            + " instead)",
    fieldPath = ".evaluation.gates.minPairedIoU")
@ValidationRule(
    value =
        "(has(self.stage) && self.stage == 'appearance')"
            + " || !has(self.dataset) || !has(self.dataset.structureModel)",
    message = AppearanceStageRules.STRUCTURE_MODEL,
    fieldPath = ".dataset.structureModel")
@ValidationRule(
    value =
        DistillationJobSpec.STRUCTURE_OR
            + "!has(self.evaluation) || !has(self.evaluation.gates)"
            + " || !has(self.evaluation.gates.maxFdRatio)",
    message = AppearanceStageRules.FD_GATE,
    fieldPath = ".evaluation.gates.maxFdRatio")
@ValidationRule(
    value =
        DistillationJobSpec.STRUCTURE_OR
            + "!has(self.evaluation) || !has(self.evaluation.gates)"
            + " || !has(self.evaluation.gates.minPairedIoU)",
    message = AppearanceStageRules.IOU_GATE,
    fieldPath = ".evaluation.gates.minPairedIoU")
@ValidationRule(
    value =
        DistillationJobSpec.STRUCTURE_OR
            + "!has(self.teacher.format)"
            + " || self.teacher.format != 'torchscript' || has(self.teacher.shape)",
    message = AppearanceStageRules.TORCHSCRIPT_SHAPE,
    fieldPath = ".teacher.shape")
@JsonClassDescription(
    "What to distill (teacher, dataset, method, student step counts) and how to run it (output claim or bucket, resources, retries). Unset training settings take the trainer's defaults. Frozen once the trainer Job exists, except suspend and ttlSecondsAfterFinished.")
public class DistillationJobSpec {
  /** CEL prefix of the appearance stage's rules: a structure job passes them. */
  static final String STRUCTURE_OR = "!has(self.stage) || self.stage != 'appearance' || ";

  @Required
  @JsonPropertyDescription("The many-step flow-matching teacher to distill.")
  public TeacherSpec teacher;

  @Default("structure")
  @JsonPropertyDescription(
      "Which flow of a two-stage (TRELLIS-like) generator the teacher is: `structure` (the"
          + " sparse-structure flow: which voxels of a dense grid are occupied) or `appearance`"
          + " (the second stage: features, e.g. RGB colours, generated on the occupied voxels of a"
          + " given structure; a sparse flow over those voxels). The teacher must be of this"
          + " stage (`builtin:shipped` is the bundled teacher of the stage). Unset training"
          + " settings take the stage's defaults (appearance: unguided teacher, 3 channels)."
          + " `appearance` colours structures from the built-in shapes (with procedural colours:"
          + " an appearance error too), a structure dataset (`dataset.uri`) or a structure model"
          + " (`dataset.structureModel`), and is judged on held-out structures (paired error to"
          + " the teacher, speed): gate it on maxPairedError and minSpeedup, not maxFdRatio or"
          + " minPairedIoU.")
  public Stage stage;

  @JsonPropertyDescription(
      "Training data (for the appearance stage: the structures it colours); defaults to the"
          + " built-in voxel shapes (`builtin:shapes`).")
  public DatasetSpec dataset;

  @Default("mdt")
  @JsonPropertyDescription(
      "Distillation method: `mdt` (MDT-dist: velocity matching + velocity distillation) or `cm`"
          + " (consistency distillation baseline).")
  public Method method;

  @Size(min = 1, max = 8)
  @ValidationRule(
      value = "self.all(s, s >= 1 && s <= 8)",
      message = "studentSteps: every step count must be between 1 and 8")
  @ValidationRule(
      value = "self.all(s, self.filter(t, t == s).size() == 1)",
      message = "studentSteps: step counts must not repeat")
  @JsonPropertyDescription(
      "Sampling step counts the student is trained and evaluated for, each 1-8 (default [1, 2]).")
  public List<Integer> studentSteps;

  @JsonPropertyDescription(
      "Optimisation and loss settings; unset fields take the trainer's defaults.")
  public HyperparametersSpec hyperparameters;

  @JsonPropertyDescription("Evaluation of the student and its quality/speed gate.")
  public EvaluationSpec evaluation;

  @Required
  @JsonPropertyDescription(
      "Where checkpoints, the student artifact and reports are written: an existing claim, one"
          + " the operator creates, or an object-storage prefix.")
  public OutputSpec output;

  @JsonPropertyDescription(
      "Object storage for `s3://` locations (teacher, dataset, structure model, output): the"
          + " Secret the trainer pod takes its connection and credentials from.")
  public S3Spec s3;

  @JsonPropertyDescription("Compute resources of the trainer pod.")
  public ResourcesSpec resources;

  @JsonPropertyDescription("Where the trainer pod may run.")
  public PlacementSpec placement;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Trainer image (runs `mdt distill`); defaults to the operator's configured trainer image.")
  public String image;

  @Size(max = 16)
  @JsonPropertyDescription("Secrets for pulling the trainer image.")
  public List<LocalObjectReference> imagePullSecrets;

  @Size(max = 253)
  @JsonPropertyDescription(
      "ServiceAccount of the trainer pod. The trainer needs no Kubernetes API rights; its token is"
          + " never mounted.")
  public String serviceAccountName;

  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(max = 63)
  @JsonPropertyDescription(
      "Kueue LocalQueue: the Job gets Kueue's queue-name label and is created suspended, so Kueue"
          + " admits it when quota allows (the phase is Queued until then).")
  public String queueName;

  @Min(1)
  @JsonPropertyDescription(
      "Optimiser steps between checkpoints; a retried pod resumes from the newest.")
  public Integer checkpointEverySteps;

  @Default("3")
  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "Retries of a failed trainer pod before the job fails (Job backoffLimit).")
  public Integer backoffLimit;

  @Min(1)
  @JsonPropertyDescription(
      "Wall-clock limit of the whole job in seconds; past it the job fails with DeadlineExceeded.")
  public Long activeDeadlineSeconds;

  @Min(0)
  @JsonPropertyDescription(
      "Seconds after which the finished trainer Job and its pods are deleted (the status and the"
          + " artifact stay). Mutable.")
  public Integer ttlSecondsAfterFinished;

  @Default("false")
  @JsonPropertyDescription(
      "Suspend the job: its pod is stopped and resumes from the newest checkpoint when set back to"
          + " false. Mutable.")
  public Boolean suspend;

  /** Step counts to train for, with the trainer's default when unset. */
  public List<Integer> studentStepsOrDefault() {
    return studentSteps == null ? new ArrayList<>(List.of(1, 2)) : studentSteps;
  }

  /** The stage to distill, structure when unset (a job stored before the field existed). */
  public Stage stageOrDefault() {
    return stage == null ? Stage.STRUCTURE : stage;
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }
}
