package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.AppearanceSourceSpec;
import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.ModelSourceSpec;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.distillation.InputUris;
import java.util.Collection;

/**
 * The model the spec asks for, or why it cannot be served yet (a SourceReady reason). Pure: the
 * referenced DistillationJobs are passed in (null when one does not exist).
 *
 * <p>With {@code spec.source.appearance} both stages must resolve, the structure one first; a job
 * of the wrong {@code spec.stage} waits with {@link StudentConditions#SOURCE_WRONG_STAGE}. The pair
 * becomes one {@link ServedModel#pair}.
 */
public record SourceResolution(
    ServedModel model, String reason, String message, JobSelection selection) {

  /** Without a selector (spec.source.distillationJobSelector): no {@link #selection}. */
  public SourceResolution(ServedModel model, String reason, String message) {
    this(model, reason, message, null);
  }

  public boolean ready() {
    return model != null;
  }

  /**
   * With spec.source.distillationJobSelector: the job {@link JobSelection} picks among {@code jobs}
   * (this namespace's) is resolved as a reference to it would be, and the selection is kept for the
   * status. Without a selector, the referenced jobs are looked up in {@code jobs} by name.
   */
  public static SourceResolution fromJobs(
      StudentDeployment sd, Collection<DistillationJob> jobs, DistillationJob appearanceJob) {
    ModelSourceSpec source = sd.getSpec().source;
    if (source.distillationJobSelector == null) {
      return of(sd, named(jobs, source.distillationJobRef), appearanceJob);
    }
    JobSelection selection =
        JobSelection.of(
            source.distillationJobSelector,
            jobs,
            source.appearance == null ? null : Stage.STRUCTURE);
    SourceResolution r =
        selection.selected() == null
            ? selection.resolution()
            : of(sd, selection.selected(), appearanceJob);
    return new SourceResolution(r.model, r.reason, r.message, selection);
  }

  /** The DistillationJob of that name (null without a name or a job). */
  static DistillationJob named(Collection<DistillationJob> jobs, String name) {
    return name == null
        ? null
        : jobs.stream()
            .filter(j -> name.equals(j.getMetadata().getName()))
            .findFirst()
            .orElse(null);
  }

  /** One model, or the structure stage of a pair whose appearance job is not known. */
  public static SourceResolution of(StudentDeployment sd, DistillationJob job) {
    return of(sd, job, null);
  }

  public static SourceResolution of(
      StudentDeployment sd, DistillationJob job, DistillationJob appearanceJob) {
    ModelSourceSpec source = sd.getSpec().source;
    AppearanceSourceSpec appearance = source.appearance;
    SourceResolution structure =
        stage(
            source.modelUri,
            source.digest,
            source.distillationJobRef != null || job == null
                ? source.distillationJobRef
                : job.getMetadata().getName(),
            job,
            appearance == null ? null : Stage.STRUCTURE,
            "spec.source");
    if (appearance == null || !structure.ready()) {
      return structure;
    }
    SourceResolution colours =
        stage(
            appearance.modelUri,
            appearance.digest,
            appearance.distillationJobRef,
            appearanceJob,
            Stage.APPEARANCE,
            "spec.source.appearance");
    if (!colours.ready()) {
      return waiting(colours.reason, "appearance stage: " + colours.message);
    }
    ServedModel s = structure.model;
    ServedModel a = colours.model;
    ServedModel pair =
        ServedModel.pair(
            new ServedModel.Stage(s.uri(), s.digest(), s.source()),
            new ServedModel.Stage(a.uri(), a.digest(), a.source()),
            s.speedup());
    return resolved(
        pair,
        "structure "
            + structure.message
            + "; appearance "
            + colours.message
            + "; pair digest "
            + pair.digest());
  }

  /** A DistillationJob as one stage (or the only model): {@link #stage} without a URI. */
  static SourceResolution job(String name, DistillationJob job, Stage wanted, String field) {
    return stage(null, null, name, job, wanted, field);
  }

  /**
   * One stage (or the only model): a URI, or a DistillationJob that must have succeeded, passed its
   * gate and, when {@code wanted} is set, distilled that stage.
   */
  private static SourceResolution stage(
      String modelUri,
      String digest,
      String name,
      DistillationJob job,
      Stage wanted,
      String field) {
    if (modelUri != null) {
      return InputUris.problem(field + ".modelUri", modelUri)
          .map(p -> waiting(StudentConditions.SOURCE_INVALID, p))
          .orElseGet(
              () -> resolved(new ServedModel(modelUri, digest, null, null), "model " + modelUri));
    }
    if (job == null) {
      return waiting(
          StudentConditions.SOURCE_NOT_FOUND,
          "DistillationJob " + name + " does not exist in this namespace");
    }
    Stage stage =
        job.getSpec() == null || job.getSpec().stage == null
            ? Stage.STRUCTURE
            : job.getSpec().stage;
    if (wanted != null && stage != wanted) {
      return waiting(
          StudentConditions.SOURCE_WRONG_STAGE,
          "DistillationJob "
              + name
              + " distills the "
              + stageName(stage)
              + " stage (spec.stage), but "
              + field
              + " names the "
              + stageName(wanted)
              + " stage: point "
              + field
              + ".distillationJobRef at a job with spec.stage: "
              + stageName(wanted)
              + (wanted == Stage.STRUCTURE ? " (are the two stages swapped?)" : ""));
    }
    if (wanted == null && stage == Stage.APPEARANCE) {
      return waiting(
          StudentConditions.SOURCE_WRONG_STAGE,
          "DistillationJob "
              + name
              + " distills the appearance stage, which only colours a given structure and cannot"
              + " be served alone: point spec.source.distillationJobRef at a structure job and"
              + " set spec.source.appearance.distillationJobRef: "
              + name);
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
              + "; fix it as its Failed condition says, or point "
              + field
              + " at another job; the current model (if any) keeps serving");
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
    if (InputUris.claimPath(result.artifact).isEmpty() && !InputUris.isS3(result.artifact)) {
      return waiting(
          StudentConditions.SOURCE_INVALID,
          "DistillationJob "
              + name
              + " wrote its artifact to "
              + result.artifact
              + ", not to a claim (pvc://) a serving pod can mount or to object storage (s3://)");
    }
    String speedup = result.summary == null ? null : result.summary.bestSpeedup;
    return resolved(
        new ServedModel(result.artifact, result.digest, name, speedup),
        "DistillationJob " + name + " succeeded: " + result.artifact + " " + result.digest);
  }

  private static String stageName(Stage s) {
    return s == Stage.APPEARANCE ? "appearance" : "structure";
  }

  private static SourceResolution waiting(String reason, String message) {
    return new SourceResolution(null, reason, message);
  }

  private static SourceResolution resolved(ServedModel model, String message) {
    return new SourceResolution(model, StudentConditions.SOURCE_RESOLVED, message);
  }
}
