package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import java.util.Map;

/**
 * Exponential moving average of weights, {@code ema = rate ema + (1 - rate) p} after every
 * optimizer step (TRELLIS). The exported model uses the shadow weights.
 */
public final class Ema implements AutoCloseable {
  private final Weights shadow;
  private final double rate;

  public Ema(Weights params, double rate) {
    this.shadow = params.copy();
    this.rate = rate;
  }

  public void update(Weights params) {
    try (NoGrad ignored = NoGrad.enter();
        NDManager scratch = shadow.manager().newSubManager()) {
      for (Map.Entry<String, NDArray> e : shadow.asMap().entrySet()) {
        NDArray p = params.get(e.getKey());
        try (NDManager local = scratch.newSubManager()) {
          p.tempAttach(local);
          e.getValue().muli(rate).addi(p.mul(1 - rate));
        }
      }
    }
  }

  public Weights shadow() {
    return shadow;
  }

  @Override
  public void close() {
    shadow.close();
  }
}
