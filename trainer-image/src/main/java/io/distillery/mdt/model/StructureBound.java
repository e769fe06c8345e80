package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;

/**
 * A network for features on a structure (TRELLIS's second stage): it is bound to a batch's
 * occupancy before it is called.
 */
public interface StructureBound {

  /**
   * A view of this model for {@code occupancy} {@code (N, 1, R, R, R)} (float 0/1), sharing its
   * weights. The view accepts {@code k N} rows for any {@code k >= 1}, the structure repeated.
   */
  VelocityModel on(NDArray occupancy);
}
