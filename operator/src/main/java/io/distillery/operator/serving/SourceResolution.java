package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.ModelSourceSpec;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.distillation.InputUris;

/**
 * The model the spec asks for, or why it cannot be served yet (a SourceReady reason). Pure: the
 * referenced DistillationJob is passed in (null when it does not exist).
 */
public record SourceResolution(ServedModel model, String reason, String message) {

  public boolean ready() {
    return model != null;
  }

  public static SourceResolution of(StudentDeployment sd, DistillationJob job) {
    ModelSourceSpec source = sd.getSpec().source;
    if (source.modelUri != null) {
      return InputUris.problem("spec.source.modelUri", source.modelUri)
          .map(p -> waiting(StudentConditions.SOURCE_INVALID, p))
          .orElseGet(
              () ->
                  resolved(
                      new ServedModel(source.modelUri, source.digest, null, null),
                      "model " + source.modelUri));
    }
    String name = source.distillationJobRef;
    if (job == null) {
      return waiting(
          StudentConditions.SOURCE_NOT_FOUND,
          "DistillationJob " + name + " does not exist in this namespace");
    }
    var status = job.getStatus();
    ResultStatus result = status == null ? null : status.result;
    boolean gateFailed =
        (result != null && result.gate != null && Boolean.FALSE.equals(result.gate.passed))
            || (status != null
                && DistillationConditions.GATE_FAILED.equals(
                    Conditions.reason(status.conditions, DistillationConditions.FAILED)));
    if (gateFailed) {
      String why = result != null && result.gate != null ? result.gate.reason : null;
      return waiting(
          StudentConditions.SOURCE_GATE_FAILED,
          "DistillationJob " + name + " did not pass its gate" + (why == null ? "" : ": " + why));
    }
    if (status != null && status.phase == Phase.Failed) {
      // A failed job never produces a model: waiting on it would wait forever.
      var failed = Conditions.find(status.conditions, DistillationConditions.FAILED);
      return waiting(
          StudentConditions.SOURCE_FAILED,
          "DistillationJob "
              + name
              + " failed"
              + failed.map(c -> " (" + c.getReason() + ": " + c.getMessage() + ")").orElse("")
              + "; fix it as its Failed condition says, or point spec.source at another job; the"
              + " current model (if any) keeps serving");
    }
    if (status == null || status.phase != Phase.Succeeded) {
      return waiting(
          StudentConditions.SOURCE_NOT_SUCCEEDED,
          "waiting for DistillationJob "
              + name
              + " to succeed (phase "
              + (status == null || status.phase == null ? "Pending" : status.phase)
              + ")");
    }
    if (result == null || result.artifact == null || result.digest == null) {
      return waiting(
          StudentConditions.SOURCE_INVALID,
          "DistillationJob " + name + " succeeded without an artifact and digest in its result");
    }
    if (InputUris.claimPath(result.artifact).isEmpty()) {
      return waiting(
          StudentConditions.SOURCE_INVALID,
          "DistillationJob "
              + name
              + " wrote its artifact to "
              + result.artifact
              + ", not to a claim (pvc://) a serving pod can mount");
    }
    String speedup = result.summary == null ? null : result.summary.bestSpeedup;
    return resolved(
        new ServedModel(result.artifact, result.digest, name, speedup),
        "DistillationJob " + name + " succeeded: " + result.artifact + " " + result.digest);
  }

  private static SourceResolution waiting(String reason, String message) {
    return new SourceResolution(null, reason, message);
  }

  private static SourceResolution resolved(ServedModel model, String message) {
    return new SourceResolution(model, StudentConditions.SOURCE_RESOLVED, message);
  }
}
