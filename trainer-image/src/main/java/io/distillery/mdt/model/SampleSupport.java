package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;

/**
 * Where a batch's samples live: every voxel of the grid (the structure stage), or only the occupied
 * voxels of a structure (the appearance stage, whose samples are grids that are zero elsewhere).
 * The training objectives draw noise, call networks and take means through it, so the same code
 * trains both stages and a mean is always over real voxels only (docs/algorithm.md section 9).
 *
 * @param occupancy float 0/1 {@code (N, 1, R, R, R)}, or null for the whole grid
 * @param host the same occupancy on the host when the caller has it (saves models a copy back from
 *     the device), else null
 */
public record SampleSupport(NDArray occupancy, float[] host) {

  /** Every voxel: the dense structure stage. */
  public static SampleSupport dense() {
    return new SampleSupport(null, null);
  }

  /** The occupied voxels of {@code occupancy} {@code (N, 1, R, R, R)}. */
  public static SampleSupport on(NDArray occupancy) {
    return new SampleSupport(occupancy, null);
  }

  /** The occupied voxels of {@code occupancy}, whose values {@code host} holds on the host. */
  public static SampleSupport on(NDArray occupancy, float[] host) {
    return new SampleSupport(occupancy, host);
  }

  public boolean isDense() {
    return occupancy == null;
  }

  /** {@code model}, bound to the structure when there is one. */
  public VelocityModel bind(VelocityModel model) {
    if (occupancy == null) {
      return model;
    }
    if (model instanceof StructureBound bound) {
      return host == null ? bound.on(occupancy) : bound.on(occupancy, host);
    }
    throw new IllegalArgumentException(
        "a model of the structure stage cannot generate appearance on a structure");
  }

  /** {@code x} (noise drawn on the whole grid) zeroed off the structure. */
  public NDArray restrict(NDArray x) {
    return occupancy == null ? x : x.mul(repeated(x));
  }

  /**
   * The mean of {@code perElement} {@code (N, C, ...)} over the real voxels of all samples and all
   * channels; values off the structure are ignored whatever they hold.
   */
  public NDArray mean(NDArray perElement) {
    if (occupancy == null) {
      return perElement.mean();
    }
    NDArray mask = repeated(perElement);
    long channels = perElement.getShape().get(1);
    return perElement.mul(mask).sum().div(mask.sum().mul(channels));
  }

  /** The occupancy repeated along the batch when {@code like} has k N rows (batched calls). */
  private NDArray repeated(NDArray like) {
    long n = occupancy.getShape().get(0);
    long rows = like.getShape().get(0);
    if (rows == n) {
      return occupancy;
    }
    if (rows % n != 0) {
      throw new IllegalArgumentException(
          "a batch of " + rows + " rows does not repeat a structure of " + n + " samples");
    }
    long[] repeats = new long[occupancy.getShape().dimension()];
    java.util.Arrays.fill(repeats, 1);
    repeats[0] = rows / n;
    return occupancy.tile(repeats);
  }
}
