package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** Training data; for the appearance stage, where the structures it colours come from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetSpec {
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription(
      "`builtin:shapes` (generated voxel shapes, the default), `pvc://<claim>/<path>` (a"
          + " directory of .npy/.npz shards on a claim in this namespace, mounted read-only),"
          + " `s3://<bucket>/<prefix>` (a prefix of .npy/.npz shards in object storage, downloaded"
          + " by the trainer; see spec.s3) or an absolute path inside the image.")
  public String uri;

  @Size(min = 1, max = 1024)
  @JsonPropertyDescription(
      "Appearance stage only: a structure model artifact (`pvc://<claim>/<path>`, mounted"
          + " read-only, `s3://<bucket>/<prefix>`, downloaded by the trainer, or an absolute path"
          + " inside the image) whose samples are the structures"
          + " the appearance teacher colours, instead of `uri`. Its resolution and classes must be"
          + " the teacher's. Unset: the structures come from `uri` (`builtin:shapes`, or a"
          + " structure dataset of your own: occupancy shards, channel 0 above 0 is occupied).")
  public String structureModel;
}
