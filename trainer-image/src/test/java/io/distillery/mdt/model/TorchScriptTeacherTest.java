package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads src/test/resources/torchscript/tiny_teacher.pt (see make_tiny_teacher.py beside it). */
class TorchScriptTeacherTest {
  static final Path TINY = Path.of("src/test/resources/torchscript/tiny_teacher.pt");
  static final Shape SAMPLE = new Shape(1, 2, 2, 2);

  @Test
  void computesTheExportedFunction() throws Exception {
    try (TorchScriptTeacher t = TorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      assertThat(t.weights().asMap()).containsOnlyKeys("scale", "cond_bias", "time_weight");
      NDArray x = nd.ones(new Shape(2, 1, 2, 2, 2));
      NDArray v;
      try (NoGrad ignored = NoGrad.enter()) {
        v = t.velocity(x, nd.create(new float[] {1000f, 0f}), nd.create(new long[] {1, 3}), false);
      }
      float[] out = v.toFloatArray();
      // v = 0.5 x + cond_bias[c] + 0.001 (1000 t)
      assertThat(out[0]).isCloseTo(0.5f + 0.2f + 1f, within(1e-6f));
      assertThat(out[8]).isCloseTo(0.5f + 0.0f + 0f, within(1e-6f));
    }
  }

  @Test
  void gradientsFlowToItsParameters() throws Exception {
    try (TorchScriptTeacher t = TorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.ones(new Shape(2, 1, 2, 2, 2)).mul(2);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v =
            t.velocity(x, nd.create(new float[] {1000f, 500f}), nd.create(new long[] {0, 0}), true);
        gc.backward(v.sum());
      }
      // d sum(v) / d scale = sum(x) = 32; d / d cond_bias[0] = 16 voxels; d / d time_weight = 8 *
      // 1500.
      assertThat(t.weights().get("scale").getGradient().getFloat()).isCloseTo(32f, within(1e-4f));
      float[] gb = t.weights().get("cond_bias").getGradient().toFloatArray();
      assertThat(gb).containsExactly(16f, 0f, 0f, 0f);
      assertThat(t.weights().get("time_weight").getGradient().getFloat())
          .isCloseTo(12000f, within(1e-2f));
    }
  }

  @Test
  void aModuleWhoseOutputShapeDiffersFromItsInputIsRejected() {
    // Stated samples of rank 3: the module's per-sample bias of rank 5 broadcasts the output to
    // (1, 1, 1, 2, 2), which is not the input shape (1, 1, 2, 2).
    assertThatThrownBy(() -> TorchScriptTeacher.load(TINY, new Shape(1, 2, 2), 3, Device.cpu()))
        .hasMessageContaining("tiny_teacher.pt")
        .hasMessageContaining(
            "output shape (1, 1, 1, 2, 2) does not match its input shape (1, 1, 2, 2)");
  }

  @Test
  void aMissingOrBrokenFileIsNamed(@TempDir Path dir) throws Exception {
    assertThatThrownBy(
            () -> TorchScriptTeacher.load(dir.resolve("nope.pt"), SAMPLE, 3, Device.cpu()))
        .hasMessageContaining("nope.pt");
    Path junk = Files.writeString(dir.resolve("junk.pt"), "not a zip");
    assertThatThrownBy(() -> TorchScriptTeacher.load(junk, SAMPLE, 3, Device.cpu()))
        .hasMessageContaining("junk.pt")
        .hasMessageContaining("not a loadable TorchScript module");
  }
}
