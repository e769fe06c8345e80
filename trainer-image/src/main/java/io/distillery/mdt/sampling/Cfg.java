package io.distillery.mdt.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.distillery.mdt.model.VelocityModel;

/**
 * Classifier-free guidance, {@code v = (1 + w) v(x, t, c) - w v(x, t, null)} (docs/algorithm.md
 * section 1). The conditional and null passes run as one batch of 2N.
 */
public final class Cfg {
  private Cfg() {}

  /**
   * Guided velocity; {@code w = 0} is one plain conditional call.
   *
   * @param tTimes1000 {@code (N)} times 1000, as every network takes it
   */
  public static NDArray velocity(
      VelocityModel model, NDArray x, NDArray tTimes1000, NDArray cond, double w) {
    if (w == 0) {
      return model.velocity(x, tTimes1000, cond, false);
    }
    long n = x.getShape().get(0);
    NDArray nullCond = cond.zerosLike().add(model.nullClass()).toType(cond.getDataType(), false);
    NDArray v =
        model.velocity(
            NDArrays.concat(new NDList(x, x)),
            NDArrays.concat(new NDList(tTimes1000, tTimes1000)),
            NDArrays.concat(new NDList(cond, nullCond)),
            false);
    NDArray vCond = v.get("0:" + n);
    NDArray vNull = v.get(n + ":");
    return vCond.mul(1 + w).sub(vNull.mul(w));
  }
}
