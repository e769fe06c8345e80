package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.training.GradientCollector;
import io.distillery.config.TrainerConfig.ModelSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FlowTransformerTest {

  static Stream<ModelSpec> architectures() {
    return Stream.of(TinySpecs.tiny(), TinySpecs.tinyWithConv());
  }

  @ParameterizedTest
  @MethodSource("architectures")
  void outputHasInputShapeAndStartsFromPredictingEmptyDataBecauseTheHeadIsZeroInitialised(
      ModelSpec spec) {
    try (FlowTransformer m = FlowTransformer.create(spec, 1, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.randomNormal(new Shape(3, 1, 8, 8, 8));
      NDArray v =
          m.velocity(
              x, nd.create(new float[] {0, 500, 1000}), nd.create(new long[] {0, 1, 3}), false);
      assertThat(v.getShape()).isEqualTo(x.getShape());
      // The head predicts x0 = 0, so v = (1 - sigma_min) x / sigma_t (sigma_t floored at 0.01).
      float[] xs = x.toFloatArray();
      float[] vs = v.toFloatArray();
      double[] sigma = {0.01, 0.5 + 0.5e-5, 1.0};
      for (int i = 0; i < xs.length; i++) {
        double expected = (1 - 1e-5) * xs[i] / sigma[i / 512];
        assertThat((double) vs[i])
            .isCloseTo(
                expected,
                org.assertj.core.api.Assertions.within(1e-3 * Math.max(1, Math.abs(expected))));
      }
    }
  }

  @Test
  void sameSeedGivesSameWeights() {
    try (FlowTransformer a = FlowTransformer.create(TinySpecs.tiny(), 5, Device.cpu());
        FlowTransformer b = FlowTransformer.create(TinySpecs.tiny(), 5, Device.cpu())) {
      assertThat(a.weights().get("blocks.1.mlp.fc1.weight").toFloatArray())
          .containsExactly(b.weights().get("blocks.1.mlp.fc1.weight").toFloatArray());
    }
  }

  @ParameterizedTest
  @MethodSource("architectures")
  void gradientsReachEveryTensorOnceTheZeroLayersHaveMoved(ModelSpec spec) {
    try (FlowTransformer m = FlowTransformer.create(spec, 1, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      // Nudge the zero-initialised layers so that gradient flows through every path.
      try (NoGrad ignored = NoGrad.enter()) {
        for (var e : m.weights().asMap().entrySet()) {
          if (e.getKey().contains("adaLN")
              || e.getKey().contains("final_layer")
              || e.getKey().startsWith("head.")) {
            e.getValue()
                .addi(
                    nd.randomNormal(0, 0.05f, e.getValue().getShape(), e.getValue().getDataType()));
          }
        }
      }
      m.weights().requireGradients(true);
      NDArray x = nd.randomNormal(new Shape(2, 1, 8, 8, 8));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v =
            m.velocity(x, nd.create(new float[] {100, 900}), nd.create(new long[] {2, 3}), true);
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
  void velocityDependsOnTimeAndClass() {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      try (NoGrad ignored = NoGrad.enter()) {
        for (var e : m.weights().asMap().entrySet()) {
          e.getValue()
              .addi(nd.randomNormal(0, 0.05f, e.getValue().getShape(), e.getValue().getDataType()));
        }
      }
      NDArray x = nd.randomNormal(new Shape(1, 1, 8, 8, 8));
      NDArray base = m.velocity(x, nd.create(new float[] {500}), nd.create(new long[] {1}), false);
      NDArray otherT =
          m.velocity(x, nd.create(new float[] {100}), nd.create(new long[] {1}), false);
      NDArray otherC =
          m.velocity(x, nd.create(new float[] {500}), nd.create(new long[] {3}), false);
      assertThat(base.sub(otherT).abs().max().getFloat()).isGreaterThan(1e-4f);
      assertThat(base.sub(otherC).abs().max().getFloat()).isGreaterThan(1e-4f);
    }
  }

  @Test
  void wrongInputShapeNamesBothShapes() {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.zeros(new Shape(1, 2, 8, 8, 8));
      assertThatThrownBy(
              () -> m.velocity(x, nd.create(new float[] {1}), nd.create(new long[] {0}), false))
          .hasMessageContaining("(1, 2, 8, 8, 8)")
          .hasMessageContaining("(1, 1, 8, 8, 8)");
    }
  }

  @Test
  void aConvStemAndHeadAreTheirOwnArchitecture(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("w.safetensors");
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tinyWithConv(), 3, Device.cpu())) {
      assertThat(m.weights().get("stem.weight").getShape()).isEqualTo(new Shape(27, 4));
      assertThat(m.weights().get("input_layer.weight").getShape()).isEqualTo(new Shape(4 * 64, 24));
      m.weights().save(file);
    }
    try (Weights w = Weights.load(file, Device.cpu())) {
      assertThatThrownBy(() -> FlowTransformer.withWeights(TinySpecs.tiny(), w))
          .isInstanceOf(Weights.IncompatibleWeightsException.class);
    }
  }

  @Test
  void theStemIsA3x3x3ConvolutionWithZeroPadding() {
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tinyWithConv(), 4, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.randomNormal(new Shape(2, 1, 8, 8, 8));
      NDArray bias = nd.randomNormal(new Shape(4));
      m.weights().get("stem.bias").set(bias.toFloatArray());
      // Linear weights are (in, out) with in = (channel, d, h, w); a conv weight is (out, in, ...).
      NDArray kernel = m.weights().get("stem.weight").transpose(1, 0).reshape(4, 1, 3, 3, 3);
      NDArray expected =
          Conv3d.conv3d(
                  x, kernel, bias, new Shape(1, 1, 1), new Shape(1, 1, 1), new Shape(1, 1, 1), 1)
              .singletonOrThrow();
      NDArray actual = m.stemFeatures(x);
      assertThat(actual.getShape()).isEqualTo(new Shape(2, 4, 8, 8, 8));
      assertThat(actual.sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
    }
  }

  @Test
  void weightsRoundTripThroughAFileAndRejectAnotherArchitecture(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("w.safetensors");
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 3, Device.cpu())) {
      m.weights().save(file);
      try (FlowTransformer loaded =
          FlowTransformer.withWeights(TinySpecs.tiny(), Weights.load(file, Device.cpu()))) {
        assertThat(loaded.weights().get("cond_embedder.weight").toFloatArray())
            .containsExactly(m.weights().get("cond_embedder.weight").toFloatArray());
      }
    }
    ModelSpec wider = TinySpecs.tiny();
    wider.width = 32;
    try (Weights w = Weights.load(file, Device.cpu())) {
      assertThatThrownBy(() -> FlowTransformer.withWeights(wider, w))
          .isInstanceOf(Weights.IncompatibleWeightsException.class)
          .hasMessageContaining("has shape");
    }
  }
}
