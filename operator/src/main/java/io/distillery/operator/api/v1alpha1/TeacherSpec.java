package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The teacher model and its reference sampler. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.shape) || self.format == 'torchscript'",
    message =
        "teacher.shape: only for format torchscript (a Distillery artifact states its own shape)",
    fieldPath = ".shape")
public class TeacherSpec {
  @Required
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription(
      "Teacher location: `builtin:shipped` (the trainer image's teacher of spec.stage),"
          + " `pvc://<claim>/<path>` (a Distillery artifact or TorchScript file on a"
          + " PersistentVolumeClaim in this namespace, mounted read-only), `s3://<bucket>/<key>`"
          + " (an artifact prefix, or a TorchScript object, in object storage, downloaded and"
          + " verified by the trainer; see spec.s3) or an absolute path inside the image.")
  public String uri;

  @Default("djl")
  @JsonPropertyDescription(
      "`djl` (a Distillery artifact) or `torchscript` (a module computing v(x, 1000 t, cond)).")
  public Format format;

  @JsonPropertyDescription("The teacher's reference sampler, the baseline the student must match.")
  public SamplerSpec sampler;

  @JsonPropertyDescription(
      "For format torchscript: the sample shape and class count the module works with (its file"
          + " does not say); default 1 channel, resolution 16, 8 classes (the built-in shapes).")
  public TeacherShapeSpec shape;

  /** Teacher file format. */
  public enum Format {
    @JsonProperty("djl")
    DJL,
    @JsonProperty("torchscript")
    TORCHSCRIPT
  }
}
