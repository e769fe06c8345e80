package io.distillery.mdt.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;

/**
 * What {@code model.json} of a two-stage pipeline says (docs/algorithm.md section 9): the structure
 * and appearance stage artifacts, each by path and digest, and the occupancy threshold applied to
 * the structure sample (voxels with a value above it are occupied).
 *
 * @param kind always {@link #KIND}
 * @param version the format version, {@link #VERSION}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PipelineCard(String kind, int version, Stages stages, double threshold) {
  public static final String KIND = "pipeline";
  public static final int VERSION = 1;

  /** The default threshold: an occupancy grid is +1 filled / -1 empty, so its sign decides. */
  public static final double DEFAULT_THRESHOLD = 0;

  /** The two stages, in the order they run. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Stages(StageRef structure, StageRef appearance) {}

  /**
   * One stage's artifact: {@code path} as it was given (a relative one is relative to the pipeline
   * directory) and the digest it had when the pipeline was made.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record StageRef(String path, String digest) {

    /** The stage's directory for a pipeline at {@code pipelineDir}. */
    public Path resolve(Path pipelineDir) {
      Path p = Path.of(path);
      return p.isAbsolute() ? p : pipelineDir.resolve(p).normalize();
    }
  }

  /** A version-1 card. */
  public static PipelineCard of(StageRef structure, StageRef appearance, double threshold) {
    return new PipelineCard(KIND, VERSION, new Stages(structure, appearance), threshold);
  }
}
