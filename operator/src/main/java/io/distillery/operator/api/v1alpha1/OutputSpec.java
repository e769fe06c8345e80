package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Where the output goes: an existing claim (kept when the DistillationJob is deleted), a claim the
 * operator creates (owned by the DistillationJob, deleted with it) or an object-storage prefix (the
 * trainer writes to a scratch emptyDir and mirrors it there).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.claimName), has(self.size), has(self.uri)].filter(x, x).size() == 1",
    message =
        "output: set exactly one of claimName (an existing PersistentVolumeClaim), size (a claim"
            + " the operator creates) or uri (an s3://bucket/prefix)")
// The pattern cannot say these two bucket-name rules (RE2 has no look-ahead).
@ValidationRule(
    value =
        "!has(self.uri) || !(self.uri.matches('^s3://[^/]*[.][.]')"
            + " || self.uri.matches('^s3://[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+(/|$)'))",
    message =
        "output.uri: the bucket name must not contain '..' or be an IP address (S3 bucket-name"
            + " rules)",
    fieldPath = ".uri")
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
    message = "output.path: must stay under the claim or prefix (no '.' or '..' segment)",
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

  @Size(max = 1024)
  @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?$")
  @JsonPropertyDescription(
      "An object-storage prefix, `s3://<bucket>/<prefix>` (S3 bucket-name rules: 3-63 lowercase"
          + " letters, digits, `.` and `-`); the job's directory (`path`) is created under it."
          + " The trainer pod writes to a scratch emptyDir and uploads checkpoints, the student"
          + " artifact and result.json there; a retried pod resumes from the uploaded checkpoints."
          + " No claim is created. Connection and credentials: spec.s3.")
  public String uri;

  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Storage class of the created claim (cluster default when unset).")
  public String storageClassName;

  @Size(max = 255)
  @Pattern("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
  @JsonPropertyDescription(
      "Directory on the claim (or under the uri's prefix) for this job's checkpoints and"
          + " artifacts, relative and without `.` or `..` segments (default: the"
          + " DistillationJob's name).")
  public String path;
}
