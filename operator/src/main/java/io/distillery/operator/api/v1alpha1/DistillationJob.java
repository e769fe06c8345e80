package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Distills a many-step flow-matching teacher into a 1-2 step student by running {@code mdt distill}
 * in a {@code batch/v1} Job. See docs/design.md and operator/README.md.
 *
 * <p>The CRD generator orders printer columns by JSON path, so {@code kubectl get} shows Age first,
 * then Phase, Progress, Speedup, Quality. Stage is a wide column ({@code kubectl get -o wide}): the
 * default table is already as wide as a terminal once Progress and Quality are filled.
 *
 * <p>Root-level CEL rules: the name must leave room for the children's names, and the spec is
 * frozen once the trainer Job exists (except {@code suspend} and {@code ttlSecondsAfterFinished}),
 * because a running Job's pod template cannot change.
 */
@Group(DistillationJob.GROUP)
@Version(DistillationJob.VERSION)
@ShortNames({"dj", "distjob"})
@Categories("distillery")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Stage",
    jsonPath = ".spec.stage",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress.display",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Speedup",
    jsonPath = ".status.result.summary.bestSpeedup",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Quality",
    jsonPath = ".status.result.summary.quality",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "size(self.metadata.name) <= " + DistillationJob.MAX_NAME_LENGTH,
    message =
        "metadata.name: at most 52 characters (the trainer Job and its pods are named after it)")
@ValidationRule(
    value = DistillationJob.IMMUTABLE_ONCE_STARTED,
    message = DistillationJob.IMMUTABLE_MESSAGE)
@JsonClassDescription(
    "Distills a many-step flow-matching teacher into a 1-2 step student: the operator runs `mdt distill` in a batch/v1 Job and reports its progress, result (artifact, digest, speedup, quality) and gate in status. Served by a StudentDeployment.")
public class DistillationJob extends CustomResource<DistillationJobSpec, DistillationJobStatus>
    implements Namespaced {
  public static final String GROUP = "distillery.io";
  public static final String VERSION = "v1alpha1";
  public static final int MAX_NAME_LENGTH = 52;

  static final String IMMUTABLE_MESSAGE =
      "spec is immutable once the trainer Job exists (status.trainerJob is set), except suspend"
          + " and ttlSecondsAfterFinished; delete and recreate the DistillationJob to change it";

  /**
   * Every spec field but suspend and ttlSecondsAfterFinished, compared once started. Optional
   * fields are compared through has() guards: the optional syntax ({@code self.?x}) is estimated
   * far above the CEL cost budget by the API server.
   */
  static final String IMMUTABLE_ONCE_STARTED =
      "!has(oldSelf.status) || !has(oldSelf.status.trainerJob) || ("
          + "self.spec.teacher == oldSelf.spec.teacher"
          + " && self.spec.method == oldSelf.spec.method"
          + " && self.spec.output == oldSelf.spec.output"
          + " && self.spec.backoffLimit == oldSelf.spec.backoffLimit"
          + " && (has(self.spec.stage) == has(oldSelf.spec.stage)"
          + " && (!has(self.spec.stage) || self.spec.stage == oldSelf.spec.stage))"
          + " && (has(self.spec.dataset) == has(oldSelf.spec.dataset)"
          + " && (!has(self.spec.dataset) || self.spec.dataset == oldSelf.spec.dataset))"
          + " && (has(self.spec.studentSteps) == has(oldSelf.spec.studentSteps)"
          + " && (!has(self.spec.studentSteps) || self.spec.studentSteps == oldSelf.spec.studentSteps))"
          + " && (has(self.spec.hyperparameters) == has(oldSelf.spec.hyperparameters)"
          + " && (!has(self.spec.hyperparameters) || self.spec.hyperparameters == oldSelf.spec.hyperparameters))"
          + " && (has(self.spec.evaluation) == has(oldSelf.spec.evaluation)"
          + " && (!has(self.spec.evaluation) || self.spec.evaluation == oldSelf.spec.evaluation))"
          + " && (has(self.spec.resources) == has(oldSelf.spec.resources)"
          + " && (!has(self.spec.resources) || self.spec.resources == oldSelf.spec.resources))"
          + " && (has(self.spec.placement) == has(oldSelf.spec.placement)"
          + " && (!has(self.spec.placement) || self.spec.placement == oldSelf.spec.placement))"
          + " && (has(self.spec.image) == has(oldSelf.spec.image)"
          + " && (!has(self.spec.image) || self.spec.image == oldSelf.spec.image))"
          + " && (has(self.spec.imagePullSecrets) == has(oldSelf.spec.imagePullSecrets)"
          + " && (!has(self.spec.imagePullSecrets) || self.spec.imagePullSecrets == oldSelf.spec.imagePullSecrets))"
          + " && (has(self.spec.serviceAccountName) == has(oldSelf.spec.serviceAccountName)"
          + " && (!has(self.spec.serviceAccountName) || self.spec.serviceAccountName == oldSelf.spec.serviceAccountName))"
          + " && (has(self.spec.queueName) == has(oldSelf.spec.queueName)"
          + " && (!has(self.spec.queueName) || self.spec.queueName == oldSelf.spec.queueName))"
          + " && (has(self.spec.checkpointEverySteps) == has(oldSelf.spec.checkpointEverySteps)"
          + " && (!has(self.spec.checkpointEverySteps) || self.spec.checkpointEverySteps == oldSelf.spec.checkpointEverySteps))"
          + " && (has(self.spec.activeDeadlineSeconds) == has(oldSelf.spec.activeDeadlineSeconds)"
          + " && (!has(self.spec.activeDeadlineSeconds) || self.spec.activeDeadlineSeconds == oldSelf.spec.activeDeadlineSeconds))"
          + ")";

  @Override
  protected DistillationJobStatus initStatus() {
    return null;
  }
}
