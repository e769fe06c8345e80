package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import java.util.Map;

/**
 * Exponential moving average of weights, {@code ema = r ema + (1 - r) p} after every optimizer
 * step; the exported model uses the shadow weights.
 *
 * <p>Deliberate deviation from TRELLIS (constant {@code r = rate}): {@code r = min(rate, (1 + s) /
 * (10 + s))} at optimizer step {@code s} (the warm-up of diffusers' {@code EMAModel}). With a
 * constant 0.999 a 400-step run would export weights that are still 67% the initial ones (a
 * zero-output model); TRELLIS trains for hundreds of thousands of steps, where the two agree.
 *
 * <p>The shadow is held flat ({@link FlatBuffer}): one update over all weights per step.
 */
public final class Ema implements AutoCloseable {
  private final Weights shadow;
  private final double rate;

  /** The shadow held flat ({@link FlatBuffer}; {@link #shadow} views into it), or null. */
  private final FlatBuffer flat;

  public Ema(Weights params, double rate) {
    this.flat = FlatBuffer.fits(params) ? FlatBuffer.copyOf(params) : null;
    this.shadow = flat != null ? flat.views() : params.copy();
    this.rate = rate;
  }

  /** The decay used after optimizer step {@code step} (1-based). */
  public double rateAt(long step) {
    return Math.min(rate, (1.0 + step) / (10.0 + step));
  }

  /** Folds in the weights after optimizer step {@code step} (1-based). */
  public void update(Weights params, long step) {
    double r = rateAt(step);
    if (flat != null) {
      try (NoGrad ignored = NoGrad.enter();
          NDManager scratch = params.manager().newSubManager()) {
        NDArray p = flat.gather(params.asMap(), scratch);
        if (p != null) {
          NDArray s = flat.flat();
          s.tempAttach(scratch);
          s.muli(r).addi(p.mul(1 - r));
          return;
        }
      }
    }
    try (NoGrad ignored = NoGrad.enter();
        NDManager scratch = shadow.manager().newSubManager()) {
      for (Map.Entry<String, NDArray> e : shadow.asMap().entrySet()) {
        NDArray p = params.get(e.getKey());
        try (NDManager local = scratch.newSubManager()) {
          p.tempAttach(local);
          e.getValue().muli(r).addi(p.mul(1 - r));
        }
      }
    }
  }

  public Weights shadow() {
    return shadow;
  }

  @Override
  public void close() {
    if (flat != null) {
      flat.close();
    } else {
      shadow.close();
    }
  }
}
