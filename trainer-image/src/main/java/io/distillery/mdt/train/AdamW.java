package io.distillery.mdt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter; the update of {@code torch.optim.AdamW}) over a {@link Weights}
 * set, with a linear learning-rate warm-up. Written here rather than using DJL's optimizer because
 * its moments must be saved and restored for an exact resume, which DJL's {@code Adam} does not
 * expose. Per step {@code s} (1-based):
 *
 * <pre>
 * lr_s = lr * min(1, s / warmupSteps)
 * p   *= 1 - lr_s * weightDecay
 * m    = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
 * p   -= lr_s * (m / (1 - b1^s)) / (sqrt(v / (1 - b2^s)) + eps)
 * </pre>
 *
 * <p>The moments are held flat ({@link FlatBuffer}), so the update is a handful of operations over
 * all weights at once rather than a dozen per tensor.
 */
public final class AdamW implements AutoCloseable {
  public static final double BETA1 = 0.9;
  public static final double BETA2 = 0.999;
  public static final double EPS = 1e-8;

  private final Weights params;
  private final Weights m;
  private final Weights v;

  /** The moments held flat (m and v are views into them), or null: per-tensor updates. */
  private final FlatBuffer mFlat;

  private final FlatBuffer vFlat;
  private final double learningRate;
  private final double weightDecay;
  private final int warmupSteps;
  private long steps;

  public AdamW(Weights params, double learningRate, double weightDecay, int warmupSteps) {
    this.params = params;
    if (FlatBuffer.fits(params)) {
      this.mFlat = FlatBuffer.zerosLike(params);
      this.vFlat = FlatBuffer.zerosLike(params);
      this.m = mFlat.views();
      this.v = vFlat.views();
    } else {
      this.mFlat = null;
      this.vFlat = null;
      this.m = params.zerosLike();
      this.v = params.zerosLike();
    }
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
    this.warmupSteps = warmupSteps;
  }

  /** The learning rate of optimizer step {@code s} (1-based). */
  public double learningRateAt(long s) {
    return warmupSteps <= 0 ? learningRate : learningRate * Math.min(1.0, (double) s / warmupSteps);
  }

  /** Applies one update from {@code grads} (weights without a gradient are left unchanged). */
  public void step(Map<String, NDArray> grads) {
    steps++;
    double lr = learningRateAt(steps);
    double bc1 = 1 - Math.pow(BETA1, steps);
    double bc2 = 1 - Math.pow(BETA2, steps);
    if (mFlat != null && stepFlat(grads, lr, bc1, bc2)) {
      return;
    }
    try (NoGrad ignored = NoGrad.enter();
        NDManager scratch = params.manager().newSubManager()) {
      for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
        NDArray g = grads.get(e.getKey());
        if (g == null) {
          continue;
        }
        NDArray p = e.getValue();
        NDArray mi = m.get(e.getKey());
        NDArray vi = v.get(e.getKey());
        try (NDManager local = scratch.newSubManager()) {
          mi.tempAttach(local);
          vi.tempAttach(local);
          g.tempAttach(local);
          if (weightDecay != 0) {
            p.muli(1 - lr * weightDecay);
          }
          mi.muli(BETA1).addi(g.mul(1 - BETA1));
          vi.muli(BETA2).addi(g.square().muli(1 - BETA2));
          NDArray denom = vi.div(bc2).sqrt().addi(EPS);
          p.subi(mi.div(bc1).divi(denom).muli(lr));
        }
      }
    }
  }

  /**
   * The update over the flat moments, element for element the per-tensor one; false (nothing done)
   * when a weight has no gradient, which the per-tensor update leaves alone.
   */
  private boolean stepFlat(Map<String, NDArray> grads, double lr, double bc1, double bc2) {
    try (NoGrad ignored = NoGrad.enter();
        NDManager scratch = params.manager().newSubManager()) {
      NDArray g = mFlat.gather(grads, scratch);
      if (g == null) {
        return false;
      }
      NDArray mi = mFlat.flat();
      NDArray vi = vFlat.flat();
      mi.tempAttach(scratch);
      vi.tempAttach(scratch);
      if (weightDecay != 0) {
        for (NDArray p : params.asMap().values()) {
          p.muli(1 - lr * weightDecay);
        }
      }
      mi.muli(BETA1).addi(g.mul(1 - BETA1));
      vi.muli(BETA2).addi(g.square().muli(1 - BETA2));
      NDArray denom = vi.div(bc2).sqrt().addi(EPS);
      NDList update = mFlat.split(mi.div(bc1).divi(denom).muli(lr));
      for (int i = 0; i < update.size(); i++) {
        params.get(mFlat.names().get(i)).subi(update.get(i));
      }
      return true;
    }
  }

  /** Optimizer steps taken so far. */
  public long steps() {
    return steps;
  }

  public void save(Path dir) throws IOException {
    m.save(dir.resolve("adam-m.safetensors"));
    v.save(dir.resolve("adam-v.safetensors"));
  }

  /** Restores the moments and the step count saved by {@link #save}. */
  public void restore(Path dir, long steps) throws IOException {
    try (Weights lm = Weights.load(dir.resolve("adam-m.safetensors"), params.device());
        Weights lv = Weights.load(dir.resolve("adam-v.safetensors"), params.device())) {
      m.copyFrom(lm);
      v.copyFrom(lv);
    }
    this.steps = steps;
  }

  @Override
  public void close() {
    if (mFlat != null) {
      mFlat.close();
      vFlat.close();
    } else {
      m.close();
      v.close();
    }
  }
}
