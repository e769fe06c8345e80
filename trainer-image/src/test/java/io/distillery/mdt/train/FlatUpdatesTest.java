package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdamW, the EMA and the clip norm over flat buffers give bit for bit what the per-tensor updates
 * gave (the code before the flat buffers is restated here as the reference).
 */
class FlatUpdatesTest {
  private static final Shape[] SHAPES = {
    new Shape(7, 5), new Shape(5), new Shape(3, 4, 2), new Shape(1), new Shape(64, 33)
  };

  private static Weights random(Random rng) {
    Weights w = Weights.create(Device.cpu());
    for (int i = 0; i < SHAPES.length; i++) {
      float[] v = new float[(int) SHAPES[i].size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = (float) rng.nextGaussian();
      }
      w.put("t" + i, w.manager().create(v, SHAPES[i]));
    }
    return w;
  }

  private static Map<String, NDArray> grads(NDManager m, Random rng) {
    Map<String, NDArray> g = new LinkedHashMap<>();
    for (int i = 0; i < SHAPES.length; i++) {
      float[] v = new float[(int) SHAPES[i].size()];
      for (int k = 0; k < v.length; k++) {
        v[k] = (float) (rng.nextGaussian() * 0.1);
      }
      g.put("t" + i, m.create(v, SHAPES[i]));
    }
    return g;
  }

  private static List<float[]> values(Weights w) {
    List<float[]> out = new ArrayList<>();
    w.asMap().values().forEach(a -> out.add(a.toFloatArray()));
    return out;
  }

  /** The per-tensor AdamW step as it was written before the flat moments. */
  private static void referenceAdamW(
      Weights params,
      Weights m,
      Weights v,
      Map<String, NDArray> grads,
      long steps,
      double lr,
      double wd) {
    double bc1 = 1 - Math.pow(AdamW.BETA1, steps);
    double bc2 = 1 - Math.pow(AdamW.BETA2, steps);
    try (NoGrad ignored = NoGrad.enter()) {
      for (Map.Entry<String, NDArray> e : params.asMap().entrySet()) {
        NDArray g = grads.get(e.getKey());
        NDArray p = e.getValue();
        NDArray mi = m.get(e.getKey());
        NDArray vi = v.get(e.getKey());
        p.muli(1 - lr * wd);
        mi.muli(AdamW.BETA1).addi(g.mul(1 - AdamW.BETA1));
        vi.muli(AdamW.BETA2).addi(g.square().muli(1 - AdamW.BETA2));
        NDArray denom = vi.div(bc2).sqrt().addi(AdamW.EPS);
        p.subi(mi.div(bc1).divi(denom).muli(lr));
      }
    }
  }

  @Test
  void adamWAndEmaMatchThePerTensorUpdatesExactly(@TempDir Path dir) throws Exception {
    double lr = 3e-3;
    double wd = 0.01;
    try (Weights flat = random(new Random(1));
        Weights ref = random(new Random(1));
        Weights refM = ref.zerosLike();
        Weights refV = ref.zerosLike();
        Weights refEma = ref.copy();
        NDManager grads = NDManager.newBaseManager(Device.cpu());
        AdamW adam = new AdamW(flat, lr, wd, 3);
        Ema ema = new Ema(flat, 0.9)) {
      Random rng = new Random(2);
      for (long s = 1; s <= 6; s++) {
        Map<String, NDArray> g = grads(grads, rng);
        adam.step(g);
        ema.update(flat, s);
        referenceAdamW(ref, refM, refV, g, s, adam.learningRateAt(s), wd);
        double r = ema.rateAt(s);
        try (NoGrad ignored = NoGrad.enter()) {
          refEma.asMap().forEach((k, e) -> e.muli(r).addi(ref.get(k).mul(1 - r)));
        }
      }
      List<float[]> got = values(flat);
      List<float[]> want = values(ref);
      List<float[]> gotEma = values(ema.shadow());
      List<float[]> wantEma = values(refEma);
      for (int i = 0; i < SHAPES.length; i++) {
        assertThat(got.get(i)).containsExactly(want.get(i));
        assertThat(gotEma.get(i)).containsExactly(wantEma.get(i));
      }
      // The moments are named tensors as before: saved and restored into a fresh optimizer, which
      // then continues exactly.
      adam.save(dir);
      try (Weights copy = Weights.create(Device.cpu())) {
        flat.asMap().forEach((k, a) -> copy.put(k, a.duplicate()));
        try (AdamW resumed = new AdamW(copy, lr, wd, 3)) {
          resumed.restore(dir, adam.steps());
          Map<String, NDArray> g = grads(grads, new Random(3));
          adam.step(g);
          resumed.step(g);
          List<float[]> a = values(flat);
          List<float[]> b = values(copy);
          for (int i = 0; i < SHAPES.length; i++) {
            assertThat(b.get(i)).containsExactly(a.get(i));
          }
        }
      }
    }
  }

  @Test
  void aWeightWithoutGradientIsLeftAlone() {
    try (Weights w = random(new Random(4));
        NDManager grads = NDManager.newBaseManager(Device.cpu());
        AdamW adam = new AdamW(w, 1e-2, 0.1, 0)) {
      float[] before = w.get("t2").toFloatArray();
      float[] other = w.get("t0").toFloatArray();
      Map<String, NDArray> g = grads(grads, new Random(5));
      g.remove("t2");
      adam.step(g);
      assertThat(w.get("t2").toFloatArray()).containsExactly(before);
      assertThat(w.get("t0").toFloatArray()).isNotEqualTo(other);
    }
  }

  @Test
  void clipNormIsThePerTensorDoubleSum() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Map<String, NDArray> g = grads(m, new Random(6));
      double want = 0;
      for (NDArray a : g.values()) {
        want += a.square().sum().getFloat();
      }
      want = Math.sqrt(want);
      assertThat(new AdaptiveGradClip(1e9, 95, 4).clip(g.values())).isEqualTo(want);
    }
  }
}
