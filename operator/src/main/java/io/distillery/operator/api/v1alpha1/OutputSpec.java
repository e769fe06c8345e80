package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The output volume: an existing claim (kept when the DistillationJob is deleted) or a claim the
 * operator creates (owned by the DistillationJob, deleted with it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.claimName) != has(self.size)",
    message =
        "output: set exactly one of claimName (an existing PersistentVolumeClaim) or size (a claim"
            + " the operator creates)")
@ValidationRule(
    value = "!has(self.storageClassName) || has(self.size)",
    message = "output.storageClassName: only applies to a claim the operator creates (set size)",
    fieldPath = ".storageClassName")
// The pattern refuses absolute paths and empty segments; this refuses '.' and '..' segments, so
// the trainer's output directory can never resolve outside the claim's mount.
@ValidationRule(
    value =
        "!has(self.path) || !(('/' + self.path + '/').contains('/../')"
            + " || ('/' + self.path + '/').contains('/./'))",
    message = "output.path: must stay on the claim (no '.' or '..' segment)",
    fieldPath = ".path")
public class OutputSpec {
  @Size(min = 1, max = 253)
  @JsonPropertyDescription(
      "An existing PersistentVolumeClaim in this namespace; the artifacts stay on it after the"
          + " DistillationJob is deleted.")
  public String claimName;

  @JsonPropertyDescription(
      "Size of a ReadWriteOnce claim the operator creates, e.g. `5Gi`; it is deleted with the"
          + " DistillationJob.")
  public Quantity size;

  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Storage class of the created claim (cluster default when unset).")
  public String storageClassName;

  @Size(max = 255)
  @Pattern("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
  @JsonPropertyDescription(
      "Directory on the claim for this job's checkpoints and artifacts, relative and without"
          + " `.` or `..` segments (default: the DistillationJob's name).")
  public String path;
}
