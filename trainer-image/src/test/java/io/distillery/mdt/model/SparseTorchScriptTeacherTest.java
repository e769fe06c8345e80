package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Loads src/test/resources/torchscript/tiny_sparse_teacher.pt (see make_tiny_teacher.py beside it):
 * {@code v = 0.5 feats + cond_bias[cond[b]] + 0.001 t1000[b] + 0.01 (x + y + z)} per occupied voxel
 * and channel, {@code cond_bias = (0.1, 0.2, 0.3, 0)}.
 *
 * <p>The batch: two samples of two channels on a 2^3 grid, ragged: sample 0 occupies voxels (0, 0,
 * 1), (1, 0, 0) and (1, 1, 1) with features (1, 2), (3, 4) and (5, 6); sample 1 occupies (0, 1, 0)
 * with (7, 8). Every other value is 100, garbage the teacher must neither read nor return.
 */
class SparseTorchScriptTeacherTest {
  static final Path TINY = Path.of("src/test/resources/torchscript/tiny_sparse_teacher.pt");
  static final Path WRONG_SHAPE =
      Path.of("src/test/resources/torchscript/tiny_sparse_wrong_shape.pt");
  static final Path DENSE = Path.of("src/test/resources/torchscript/tiny_teacher.pt");
  static final Shape SAMPLE = new Shape(2, 2, 2, 2);
  static final float GARBAGE = 100f;

  /** Flat index of (sample n, channel c, voxel x y z) in a (N, 2, 2, 2, 2) grid. */
  static int at(int n, int c, int x, int y, int z) {
    return n * 16 + c * 8 + x * 4 + y * 2 + z;
  }

  static NDArray structure(NDManager nd) {
    float[] occ = new float[16];
    occ[at(0, 0, 0, 0, 1)] = 1;
    occ[at(0, 0, 1, 0, 0)] = 1;
    occ[at(0, 0, 1, 1, 1)] = 1;
    occ[8 + (0 * 4 + 1 * 2 + 0)] = 1; // sample 1, voxel (0, 1, 0)
    return nd.create(occ, new Shape(2, 1, 2, 2, 2));
  }

  static NDArray samples(NDManager nd, int copies) {
    float[] x = new float[32 * copies];
    Arrays.fill(x, GARBAGE);
    for (int k = 0; k < copies; k++) {
      int base = 32 * k;
      x[base + at(0, 0, 0, 0, 1)] = 1;
      x[base + at(0, 1, 0, 0, 1)] = 2;
      x[base + at(0, 0, 1, 0, 0)] = 3;
      x[base + at(0, 1, 1, 0, 0)] = 4;
      x[base + at(0, 0, 1, 1, 1)] = 5;
      x[base + at(0, 1, 1, 1, 1)] = 6;
      x[base + at(1, 0, 0, 1, 0)] = 7;
      x[base + at(1, 1, 0, 1, 0)] = 8;
    }
    return nd.create(x, new Shape(2L * copies, 2, 2, 2, 2));
  }

  @Test
  void computesTheExportedFunctionOnARaggedBatchAndZeroOffTheStructure() throws Exception {
    try (SparseTorchScriptTeacher t = SparseTorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      assertThat(t.weights().asMap())
          .containsOnlyKeys("scale", "cond_bias", "time_weight", "coord_weight");
      NDArray v;
      try (NoGrad ignored = NoGrad.enter()) {
        v =
            t.on(structure(nd))
                .velocity(
                    samples(nd, 1),
                    nd.create(new float[] {1000f, 500f}),
                    nd.create(new long[] {1, 3}),
                    false);
      }
      assertThat(v.getShape()).isEqualTo(new Shape(2, 2, 2, 2, 2));
      assertThat(v.getManager()).as("freed with the samples").isSameAs(nd);
      float[] out = v.toFloatArray();
      float[] expected = new float[32];
      // sample 0, class 1, t1000 = 1000: 0.5 f + 0.2 + 1 + 0.01 (x + y + z)
      expected[at(0, 0, 0, 0, 1)] = 1.71f;
      expected[at(0, 1, 0, 0, 1)] = 2.21f;
      expected[at(0, 0, 1, 0, 0)] = 2.71f;
      expected[at(0, 1, 1, 0, 0)] = 3.21f;
      expected[at(0, 0, 1, 1, 1)] = 3.73f;
      expected[at(0, 1, 1, 1, 1)] = 4.23f;
      // sample 1, the null class (bias 0), t1000 = 500: 0.5 f + 0 + 0.5 + 0.01
      expected[at(1, 0, 0, 1, 0)] = 4.01f;
      expected[at(1, 1, 0, 1, 0)] = 4.51f;
      for (int i = 0; i < 32; i++) {
        assertThat(out[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void packsTheOccupiedVoxelsByBatchThenXYZAsInt32() {
    try (NDManager nd = NDManager.newBaseManager()) {
      SparseTorchScriptTeacher.PackedVoxels packed =
          SparseTorchScriptTeacher.PackedVoxels.of(samples(nd, 1), structure(nd));
      assertThat(packed.coords().getDataType()).isEqualTo(DataType.INT32);
      assertThat(packed.coords().getShape()).isEqualTo(new Shape(4, 4));
      assertThat(packed.coords().toIntArray())
          .containsExactly(0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0);
      assertThat(packed.feats().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }
  }

  @Test
  void acceptsTheStructureTiledForKTimesTheRows() throws Exception {
    try (SparseTorchScriptTeacher t = SparseTorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager();
        NoGrad ignored = NoGrad.enter()) {
      VelocityModel bound = t.on(structure(nd));
      float[] once =
          bound
              .velocity(
                  samples(nd, 1),
                  nd.create(new float[] {1000f, 500f}),
                  nd.create(new long[] {1, 3}),
                  false)
              .toFloatArray();
      // rows 2 and 3 repeat samples 0 and 1 with their own time and class
      float[] twice =
          bound
              .velocity(
                  samples(nd, 2),
                  nd.create(new float[] {1000f, 500f, 0f, 1000f}),
                  nd.create(new long[] {1, 3, 0, 2}),
                  false)
              .toFloatArray();
      for (int i = 0; i < 32; i++) {
        assertThat(twice[i]).isCloseTo(once[i], within(1e-6f));
      }
      float[] expected = new float[32];
      // row 2 (sample 0), class 0, t1000 = 0: 0.5 f + 0.1 + 0 + 0.01 (x + y + z)
      expected[at(0, 0, 0, 0, 1)] = 0.61f;
      expected[at(0, 1, 0, 0, 1)] = 1.11f;
      expected[at(0, 0, 1, 0, 0)] = 1.61f;
      expected[at(0, 1, 1, 0, 0)] = 2.11f;
      expected[at(0, 0, 1, 1, 1)] = 2.63f;
      expected[at(0, 1, 1, 1, 1)] = 3.13f;
      // row 3 (sample 1), class 2, t1000 = 1000: 0.5 f + 0.3 + 1 + 0.01
      expected[at(1, 0, 0, 1, 0)] = 4.81f;
      expected[at(1, 1, 0, 1, 0)] = 5.31f;
      for (int i = 0; i < 32; i++) {
        assertThat(twice[32 + i]).as("element %d", 32 + i).isCloseTo(expected[i], within(1e-5f));
      }
      assertThatThrownBy(
              () ->
                  bound.velocity(
                      nd.zeros(new Shape(3, 2, 2, 2, 2)),
                      nd.zeros(new Shape(3)),
                      nd.zeros(new Shape(3), DataType.INT64),
                      false))
          .hasMessageContaining("a batch of 3 rows does not repeat a structure of 2 samples");
    }
  }

  @Test
  void gradientsReachEveryParameterThroughTheScatter() throws Exception {
    try (SparseTorchScriptTeacher t = SparseTorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = samples(nd, 1);
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v =
            t.on(structure(nd))
                .velocity(
                    x, nd.create(new float[] {1000f, 500f}), nd.create(new long[] {1, 3}), true);
        gc.backward(v.sum());
      }
      // d sum(v) / d scale = the occupied features 1 + ... + 8 (never the garbage)
      assertThat(t.weights().get("scale").getGradient().getFloat()).isCloseTo(36f, within(1e-4f));
      // cond_bias[c]: 2 channels times the voxels of class c: 3 of class 1, 1 of the null class
      assertThat(t.weights().get("cond_bias").getGradient().toFloatArray())
          .containsExactly(0f, 6f, 0f, 2f);
      // time_weight: 2 channels times the voxels' t1000, 3 * 1000 + 1 * 500
      assertThat(t.weights().get("time_weight").getGradient().getFloat())
          .isCloseTo(7000f, within(1e-2f));
      // coord_weight: 2 channels times the voxels' x + y + z, 1 + 1 + 3 + 1
      assertThat(t.weights().get("coord_weight").getGradient().getFloat())
          .isCloseTo(12f, within(1e-4f));
      // and x itself: the scale on the structure, nothing off it
      float[] dx = x.getGradient().toFloatArray();
      float[] voxels = samples(nd, 1).toFloatArray();
      for (int i = 0; i < 32; i++) {
        assertThat(dx[i]).isEqualTo(voxels[i] == GARBAGE ? 0f : 0.5f);
      }
    }
  }

  @Test
  void anUnboundCallIsRefused() throws Exception {
    try (SparseTorchScriptTeacher t = SparseTorchScriptTeacher.load(TINY, SAMPLE, 3, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      assertThatThrownBy(
              () ->
                  t.velocity(
                      samples(nd, 1),
                      nd.create(new float[] {1000f, 500f}),
                      nd.create(new long[] {1, 3}),
                      false))
          .hasMessageContaining("appearance stage")
          .hasMessageContaining("on(occupancy)");
    }
  }

  @Test
  void aModuleWithTheDenseSignatureIsRefusedNamingTheSparseOne() {
    assertThatThrownBy(() -> SparseTorchScriptTeacher.load(DENSE, SAMPLE, 3, Device.cpu()))
        .isInstanceOf(CorruptArtifactException.class) // exit code 3
        .hasMessageContaining("tiny_teacher.pt")
        .hasMessageContaining("the appearance stage calls v = module(feats float32 (M, C), coords")
        .hasMessageContaining("calling it with feats (8, 2) and coords (8, 4) failed");
  }

  @Test
  void aModuleWhoseOutputIsNotOneVelocityPerVoxelIsRefused() {
    assertThatThrownBy(() -> SparseTorchScriptTeacher.load(WRONG_SHAPE, SAMPLE, 3, Device.cpu()))
        .isInstanceOf(CorruptArtifactException.class) // exit code 3
        .hasMessageContaining("tiny_sparse_wrong_shape.pt")
        .hasMessageContaining(
            "the appearance stage's output shape (8, 1) (float32) does not match its input feats"
                + " shape (8, 2)")
        .hasMessageContaining("v = module(feats");
  }
}
