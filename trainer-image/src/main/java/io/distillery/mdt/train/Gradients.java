package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.distillery.mdt.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/** Access to the gradients that a backward pass left on a set of weights. */
public final class Gradients {
  private Gradients() {}

  /**
   * The gradient of every weight, as arrays in {@code scope} that alias the real gradient storage
   * (in-place changes, such as clipping, reach the optimizer). A weight that received no gradient
   * is absent.
   */
  public static Map<String, NDArray> of(Weights weights, NDManager scope) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : weights.asMap().entrySet()) {
      NDArray g = JniUtils.getGradient((PtNDArray) e.getValue());
      if (g != null) {
        g.attach(scope);
        grads.put(e.getKey(), g);
      }
    }
    return grads;
  }

  /** Clears the accumulated gradients (libtorch accumulates across backward calls). */
  public static void zero(Weights weights) {
    for (NDArray a : weights.asMap().values()) {
      if (JniUtils.requiresGrad((PtNDArray) a)) {
        NDArray g = JniUtils.getGradient((PtNDArray) a);
        if (g != null) {
          g.close();
          JniUtils.zeroGrad((PtNDArray) a);
        }
      }
    }
  }
}
