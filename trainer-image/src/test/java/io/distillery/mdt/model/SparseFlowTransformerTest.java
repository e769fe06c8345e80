package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.flow.SamplerSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFlowTransformerTest {
  private static final int R = 8;

  /** Resolution 8, patch 2 (64 cells), RGB, width 24, 2 blocks, 2 heads, 3 classes. */
  static ModelSpec spec() {
    ModelSpec s = TinySpecs.tiny();
    s.patchSize = 2;
    s.channels = 3;
    return s;
  }

  /**
   * A model whose zero-initialised layers (adaLN, output) have moved, so outputs are non-trivial.
   */
  static SparseFlowTransformer trained(long seed) {
    SparseFlowTransformer m = SparseFlowTransformer.create(spec(), seed, Device.cpu());
    Random rng = new Random(seed + 100);
    try (NoGrad ignored = NoGrad.enter()) {
      for (var e : m.weights().asMap().entrySet()) {
        if (e.getKey().contains("adaLN") || e.getKey().contains("final_layer")) {
          NDArray w = e.getValue();
          float[] v = new float[(int) w.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.1);
          }
          try (NDArray d = w.getManager().create(v, w.getShape())) {
            w.addi(d);
          }
        }
      }
    }
    return m;
  }

  /** Occupancy {@code (radii.length, 1, R, R, R)}: a ball of the given radius per sample. */
  static NDArray balls(NDManager nd, double... radii) {
    float[] v = new float[radii.length * R * R * R];
    for (int i = 0; i < radii.length; i++) {
      for (int d = 0; d < R; d++) {
        for (int h = 0; h < R; h++) {
          for (int w = 0; w < R; w++) {
            double dist =
                Math.sqrt((d - 3.2) * (d - 3.2) + (h - 4.1) * (h - 4.1) + (w - 3.7) * (w - 3.7));
            v[((i * R + d) * R + h) * R + w] = dist <= radii[i] ? 1f : 0f;
          }
        }
      }
    }
    return nd.create(v, new Shape(radii.length, 1, R, R, R));
  }

  /** Random features on the structure, zero off it. */
  static NDArray features(NDManager nd, NDArray occupancy) {
    Shape s = occupancy.getShape();
    return nd.randomNormal(new Shape(s.get(0), 3, R, R, R)).mul(occupancy);
  }

  @Test
  void velocityIsExactlyZeroOffTheStructureAndNonTrivialOnIt() {
    try (SparseFlowTransformer m = trained(1);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = balls(nd, 2.5, 3.5);
      NDArray x = features(nd, occ);
      try (VelocityModel on = m.on(occ)) {
        NDArray v =
            on.velocity(x, nd.create(new float[] {300, 800}), nd.create(new long[] {0, 3}), false);
        assertThat(v.getShape()).isEqualTo(x.getShape());
        NDArray off = v.mul(occ.neg().add(1f));
        assertThat(off.abs().max().getFloat()).isEqualTo(0f);
        assertThat(v.mul(occ).abs().max().getFloat()).isGreaterThan(1e-3f);
      }
    }
  }

  @Test
  void aSampleDoesNotDependOnWhatItIsBatchedWith() {
    try (SparseFlowTransformer m = trained(2);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occSmall = balls(nd, 1.8);
      NDArray occLarge = balls(nd, 3.9);
      NDArray xSmall = features(nd, occSmall);
      NDArray xLarge = features(nd, occLarge);
      NDArray t1 = nd.create(new float[] {400});
      NDArray c1 = nd.create(new long[] {1});
      NDArray t2 = nd.create(new float[] {400, 700});
      NDArray c2 = nd.create(new long[] {1, 2});
      try (VelocityModel alone = m.on(occSmall);
          VelocityModel batched = m.on(NDArrays.concat(new NDList(occSmall, occLarge)))) {
        NDArray x2 = NDArrays.concat(new NDList(xSmall, xLarge));
        NDArray vAlone = alone.velocity(xSmall, t1, c1, false);
        NDArray vBatched = batched.velocity(x2, t2, c2, false).get("0:1");
        assertThat(vAlone.abs().max().getFloat()).isGreaterThan(1e-3f);
        assertThat(vBatched.sub(vAlone).abs().max().getFloat()).isLessThan(1e-5f);
        NDArray fAlone = alone.features(xSmall, t1, c1);
        NDArray fBatched = batched.features(x2, t2, c2).get("0:1");
        assertThat(fAlone.getShape()).isEqualTo(new Shape(1, 2 * 24));
        assertThat(fBatched.sub(fAlone).abs().max().getFloat()).isLessThan(1e-5f);
      }
    }
  }

  @Test
  void valuesOnEmptyVoxelsAreIgnored() {
    try (SparseFlowTransformer m = trained(3);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = balls(nd, 2.5, 3.0);
      NDArray x = features(nd, occ);
      NDArray junk = x.add(nd.randomNormal(x.getShape()).mul(occ.neg().add(1f)));
      NDArray t = nd.create(new float[] {250, 900});
      NDArray c = nd.create(new long[] {2, 3});
      try (VelocityModel on = m.on(occ)) {
        NDArray clean = on.velocity(x, t, c, false);
        NDArray dirty = on.velocity(junk, t, c, false);
        assertThat(dirty.sub(clean).abs().max().getFloat()).isLessThan(1e-6f);
      }
    }
  }

  @Test
  void aBatchOfKCopiesTilesTheStructure() {
    try (SparseFlowTransformer m = trained(4);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = balls(nd, 2.0, 3.5);
      NDArray x =
          NDArrays.concat(new NDList(features(nd, occ), features(nd, occ), features(nd, occ)));
      NDArray t = nd.create(new float[] {100, 200, 300, 400, 500, 600});
      NDArray c = nd.create(new long[] {0, 1, 2, 3, 3, 0});
      try (VelocityModel on = m.on(occ)) {
        NDArray all = on.velocity(x, t, c, false);
        for (int k = 0; k < 3; k++) {
          String rows = (2 * k) + ":" + (2 * k + 2);
          NDArray one = on.velocity(x.get(rows), t.get(rows), c.get(rows), false);
          assertThat(all.get(rows).sub(one).abs().max().getFloat())
              .as("copy " + k)
              .isLessThan(1e-5f);
        }
      }
    }
  }

  @Test
  void badBatchesAndStructuresAreRejectedNamingTheProblem() {
    try (SparseFlowTransformer m = SparseFlowTransformer.create(spec(), 1, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = balls(nd, 2.0, 3.0);
      NDArray x3 = nd.zeros(new Shape(3, 3, R, R, R));
      NDArray t3 = nd.create(new float[] {1, 2, 3});
      NDArray c3 = nd.create(new long[] {0, 0, 0});
      try (VelocityModel on = m.on(occ)) {
        assertThatThrownBy(() -> on.velocity(x3, t3, c3, false))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("3 samples")
            .hasMessageContaining("structure has 2");
      }
      assertThatThrownBy(() -> m.on(balls(nd, 2.0, 0.1, 3.0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sample 1");
      assertThatThrownBy(() -> m.on(nd.create(1f)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("occupancy has shape");
      assertThatThrownBy(() -> m.velocity(x3, t3, c3, false))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("on(occupancy)");
      ModelSpec conv = spec();
      conv.convChannels = 4;
      assertThatThrownBy(() -> SparseFlowTransformer.create(conv, 1, Device.cpu()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("convChannels");
    }
  }

  @Test
  void gradientsReachEveryTensor() {
    try (SparseFlowTransformer m = trained(5);
        NDManager nd = NDManager.newBaseManager()) {
      m.weights().requireGradients(true);
      NDArray occ = balls(nd, 2.0, 3.5);
      NDArray x = features(nd, occ);
      try (VelocityModel on = m.on(occ);
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v =
            on.velocity(x, nd.create(new float[] {100, 900}), nd.create(new long[] {2, 3}), true);
        gc.backward(v.square().mean());
      }
      for (var e : m.weights().asMap().entrySet()) {
        NDArray g = e.getValue().getGradient();
        assertThat(g.abs().sum().getFloat()).as(e.getKey()).isGreaterThan(0f);
        g.close();
      }
    }
  }

  @Test
  void creationIsDeterministicAndSharesTheTrunkWeightNames() {
    ModelSpec dense = spec();
    dense.channels = 3;
    try (SparseFlowTransformer a = SparseFlowTransformer.create(spec(), 7, Device.cpu());
        SparseFlowTransformer b = SparseFlowTransformer.create(spec(), 7, Device.cpu());
        FlowTransformer d = FlowTransformer.create(dense, 7, Device.cpu())) {
      for (var e : a.weights().asMap().entrySet()) {
        assertThat(e.getValue().toFloatArray())
            .as(e.getKey())
            .containsExactly(b.weights().get(e.getKey()).toFloatArray());
      }
      assertThat(a.weights().asMap().keySet()).isEqualTo(d.weights().asMap().keySet());
      // The input layer also reads the p^3 occupancy bits.
      assertThat(a.weights().get("input_layer.weight").getShape()).isEqualTo(new Shape(4 * 8, 24));
      assertThat(a.sampleShape()).isEqualTo(new Shape(3, R, R, R));
      assertThatThrownBy(() -> SparseFlowTransformer.withWeights(spec(), d.weights()))
          .isInstanceOf(Weights.IncompatibleWeightsException.class)
          .hasMessageContaining("input_layer.weight");
    }
  }

  @Test
  void aCopyIsIndependentAndAViewSharesButDoesNotCloseTheWeights() {
    try (SparseFlowTransformer m = trained(8);
        NDManager nd = NDManager.newBaseManager()) {
      NDArray occ = balls(nd, 3.0);
      NDArray x = features(nd, occ);
      NDArray t = nd.create(new float[] {500});
      NDArray c = nd.create(new long[] {1});
      float[] before = m.weights().get("blocks.0.mlp.fc1.weight").toFloatArray();
      try (SparseFlowTransformer copy = m.copy()) {
        try (NoGrad ignored = NoGrad.enter()) {
          copy.weights().get("blocks.0.mlp.fc1.weight").addi(1f);
        }
        assertThat(m.weights().get("blocks.0.mlp.fc1.weight").toFloatArray())
            .containsExactly(before);
      }
      NDArray first;
      try (VelocityModel on = m.on(occ)) {
        assertThat(on.weights()).isSameAs(m.weights());
        first = on.velocity(x, t, c, false);
      }
      try (VelocityModel again = m.on(occ)) {
        assertThat(again.velocity(x, t, c, false).sub(first).abs().max().getFloat()).isEqualTo(0f);
      }
    }
  }

  @Test
  void aViewsStructureIsFreedWithTheScopeOfItsOccupancy() {
    // Training binds a view per step and never closes it: the structure must go with the step.
    try (SparseFlowTransformer m = trained(8);
        NDManager nd = NDManager.newBaseManager()) {
      VelocityModel view;
      NDManager step = nd.newSubManager();
      NDArray occ = balls(step, 3.0);
      view = m.on(occ);
      view.velocity(
          features(step, occ), step.create(new float[] {500}), step.create(new long[] {1}), false);
      step.close();
      NDArray occAgain = balls(nd, 3.0);
      assertThatThrownBy(
              () ->
                  view.velocity(
                      features(nd, occAgain),
                      nd.create(new float[] {500}),
                      nd.create(new long[] {1}),
                      false))
          .as("the view's cached structure was released with the step")
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void anArtifactRecordsTheSparseArchitectureAndReopensAsIt(@TempDir Path dir) throws Exception {
    ModelCard card =
        ModelCard.builtIn(
            TrainerConfig.Stage.APPEARANCE,
            "teacher",
            spec(),
            new SamplerSettings(2, 1.0, 1.0),
            false,
            List.of("a", "b", "c"),
            Map.of("seed", 9));
    try (SparseFlowTransformer m = trained(9);
        NDManager nd = NDManager.newBaseManager()) {
      Artifact artifact =
          ModelArtifacts.write(
              dir.resolve("slat"), card, m.weights(), ModelArtifacts.Extras.none());
      assertThat(artifact.modelJson().path("kind").asText()).isEqualTo("sparse-flow-transformer");
      NDArray occ = balls(nd, 2.5);
      NDArray x = features(nd, occ);
      NDArray t = nd.create(new float[] {600});
      NDArray c = nd.create(new long[] {2});
      try (ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact.dir(), Device.cpu());
          VelocityModel original = m.on(occ);
          VelocityModel reopened = ((StructureBound) loaded.model()).on(occ)) {
        assertThat(loaded.card().model().channels).isEqualTo(3);
        assertThat(
                reopened
                    .velocity(x, t, c, false)
                    .sub(original.velocity(x, t, c, false))
                    .abs()
                    .max()
                    .getFloat())
            .isEqualTo(0f);
      }
    }
  }

  @Test
  void eachArtifactKindOpensAsItsOwnArchitectureAndStage(@TempDir Path dir) throws Exception {
    SamplerSettings sampler = new SamplerSettings(2, 1.0, 1.0);
    Path sparse = dir.resolve("sparse");
    Path dense = dir.resolve("dense");
    try (SparseFlowTransformer s = SparseFlowTransformer.create(spec(), 1, Device.cpu());
        FlowTransformer d = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu())) {
      ModelArtifacts.write(
          sparse,
          ModelCard.builtIn(
              TrainerConfig.Stage.APPEARANCE,
              "teacher",
              spec(),
              sampler,
              false,
              List.of(),
              Map.of()),
          s.weights(),
          ModelArtifacts.Extras.none());
      ModelArtifacts.write(
          dense,
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE,
              "teacher",
              TinySpecs.tiny(),
              sampler,
              false,
              List.of(),
              Map.of()),
          d.weights(),
          ModelArtifacts.Extras.none());
    }
    try (ModelArtifacts.Loaded s = ModelArtifacts.load(sparse, Device.cpu());
        ModelArtifacts.Loaded d = ModelArtifacts.load(dense, Device.cpu())) {
      assertThat(s.model()).isInstanceOf(SparseFlowTransformer.class);
      assertThat(s.card().stage()).isEqualTo(TrainerConfig.Stage.APPEARANCE);
      assertThat(d.model()).isInstanceOf(FlowTransformer.class);
      assertThat(d.card().stage()).isEqualTo(TrainerConfig.Stage.STRUCTURE);
    }
  }
}
