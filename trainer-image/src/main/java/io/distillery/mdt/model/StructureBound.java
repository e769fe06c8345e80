package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;

/**
 * A model of features on a structure (TRELLIS stage 2): it must know which voxels are occupied
 * before it can be called, so it is bound to a batch's occupancy first.
 */
public interface StructureBound {

  /**
   * This model bound to {@code occupancy}, float {@code (N, 1, R, R, R)} with 1 on occupied voxels.
   * The view shares the weights (closing it leaves them alone) and accepts inputs of {@code k N}
   * samples for any integer {@code k >= 1}, sample {@code j N + i} on structure {@code i}: the
   * objectives concatenate batches and CFG concatenates conditional and null halves.
   */
  VelocityModel on(NDArray occupancy);

  /**
   * As {@link #on(NDArray)}, given the same occupancy already on the host ({@code N R^3} floats): a
   * model that lays out its tokens on the host then needs no copy back from the device (a training
   * step binds three networks to each batch).
   */
  default VelocityModel on(NDArray occupancy, float[] hostOccupancy) {
    return on(occupancy);
  }
}
