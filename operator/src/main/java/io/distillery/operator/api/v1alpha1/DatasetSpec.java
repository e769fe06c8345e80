package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Training data. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetSpec {
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription(
      "`builtin:shapes` (generated voxel shapes, the default), `pvc://<claim>/<path>` (a"
          + " directory of .npy/.npz shards on a claim in this namespace, mounted read-only) or an"
          + " absolute path inside the image.")
  public String uri;
}
