package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyShardDatasetTest {

  @TempDir Path dir;

  @Test
  void readsShardsInOrderWithClassNames() throws IOException {
    writeNpz(
        dir.resolve("a.npz"), ramp(3, 2, 4, 0), new Shape(3, 2, 4, 4, 4), new long[] {0, 1, 2});
    writeNpz(
        dir.resolve("b.npz"), ramp(2, 2, 4, 1000), new Shape(2, 2, 4, 4, 4), new long[] {2, 0});
    Files.writeString(dir.resolve("classes.txt"), "chair\ntable\nlamp\n");

    LoadedDataset ds = NpyShardDataset.read(dir);

    VoxelBatch b = ds.batch();
    assertThat(b.count()).isEqualTo(5);
    assertThat(b.channels()).isEqualTo(2);
    assertThat(b.resolution()).isEqualTo(4);
    assertThat(b.labels()).containsExactly(0, 1, 2, 2, 0);
    assertThat(b.data()[0]).isEqualTo(0f);
    assertThat(b.data()[3 * 128]).isEqualTo(1000f);
    assertThat(ds.classNames()).containsExactly("chair", "table", "lamp");
  }

  @Test
  void rankFourMeansOneChannelAndClassNamesDefaultFromLabels() throws IOException {
    writeNpz(dir.resolve("only.npz"), ramp(2, 1, 4, 0), new Shape(2, 4, 4, 4), new long[] {0, 3});
    LoadedDataset ds = NpyShardDataset.read(dir);
    assertThat(ds.batch().channels()).isEqualTo(1);
    assertThat(ds.classNames()).containsExactly("class0", "class1", "class2", "class3");
  }

  @Test
  void readsHandWrittenNpyPairs() throws IOException {
    float[] x = ramp(2, 1, 4, 0);
    Files.write(dir.resolve("s0_x.npy"), npyFloat32(x, 2, 4, 4, 4));
    Files.write(dir.resolve("s0_y.npy"), npyInt64(new long[] {1, 0}));
    LoadedDataset ds = NpyShardDataset.read(dir);
    assertThat(ds.batch().count()).isEqualTo(2);
    assertThat(ds.batch().labels()).containsExactly(1, 0);
    assertThat(ds.batch().data()).isEqualTo(x);
  }

  @Test
  void missingLabelsArrayIsNamed() throws IOException {
    Path f = dir.resolve("bad.npz");
    try (NDManager m = NDManager.newBaseManager();
        OutputStream out = Files.newOutputStream(f)) {
      NDArray x = m.create(ramp(1, 1, 4, 0), new Shape(1, 1, 4, 4, 4));
      x.setName("x");
      new NDList(x).encode(out, NDList.Encoding.NPZ);
    }
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bad.npz")
        .hasMessageContaining("missing array 'y'");
  }

  @Test
  void wrongRankIsNamed() throws IOException {
    writeNpz(dir.resolve("flat.npz"), new float[12], new Shape(3, 4), new long[] {0, 0, 0});
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("flat.npz")
        .hasMessageContaining("rank 5");
  }

  @Test
  void channelMismatchAcrossShardsIsNamed() throws IOException {
    writeNpz(dir.resolve("a.npz"), ramp(1, 8, 4, 0), new Shape(1, 8, 4, 4, 4), new long[] {0});
    writeNpz(dir.resolve("b.npz"), ramp(1, 4, 4, 0), new Shape(1, 4, 4, 4, 4), new long[] {0});
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("b.npz")
        .hasMessageContaining("4 channels but a.npz has 8");
  }

  @Test
  void labelCountMismatchIsNamed() throws IOException {
    writeNpz(dir.resolve("n.npz"), ramp(2, 1, 4, 0), new Shape(2, 1, 4, 4, 4), new long[] {0});
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("n.npz")
        .hasMessageContaining("1 labels but x has 2 samples");
  }

  @Test
  void labelOutOfRangeIsNamed() throws IOException {
    writeNpz(dir.resolve("l.npz"), ramp(2, 1, 4, 0), new Shape(2, 1, 4, 4, 4), new long[] {0, 5});
    Files.writeString(dir.resolve("classes.txt"), "a\nb\n");
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("l.npz")
        .hasMessageContaining("label 5 out of range");
  }

  @Test
  void nanValuesAreNamed() throws IOException {
    float[] x = ramp(2, 1, 4, 0);
    x[70] = Float.NaN;
    writeNpz(dir.resolve("nan.npz"), x, new Shape(2, 1, 4, 4, 4), new long[] {0, 1});
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("nan.npz")
        .hasMessageContaining("NaN (sample 1)");
  }

  @Test
  void garbageAndEmptyDirectoriesAreNamed() throws IOException {
    assertThatThrownBy(() -> NpyShardDataset.read(dir)).hasMessageContaining("no .npz shards");
    Files.writeString(dir.resolve("junk.npz"), "not a zip");
    assertThatThrownBy(() -> NpyShardDataset.read(dir))
        .hasMessageContaining("junk.npz")
        .hasMessageContaining("not a readable NumPy file");
    assertThatThrownBy(() -> NpyShardDataset.read(dir.resolve("nowhere")))
        .hasMessageContaining("no such file");
  }

  @Test
  void loaderSplitsFileDatasetsDisjointlyAndDispatchesBuiltin() throws IOException {
    int n = 20;
    long[] labels = new long[n];
    float[] x = new float[n * 8];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      Arrays.fill(x, i * 8, i * 8 + 8, i);
    }
    writeNpz(dir.resolve("all.npz"), x, new Shape(n, 2, 2, 2), labels);
    TrainerConfig.Dataset cfg = new TrainerConfig.Dataset();
    cfg.uri = dir.toUri().toString();
    cfg.heldOutSamples = 5;
    LoadedDataset train = DatasetLoader.load(cfg, Split.TRAIN);
    LoadedDataset held = DatasetLoader.load(cfg, Split.HELD_OUT);
    assertThat(train.batch().count()).isEqualTo(15);
    assertThat(held.batch().count()).isEqualTo(5);
    Set<Float> ids = new HashSet<>();
    for (VoxelBatch b : List.of(train.batch(), held.batch())) {
      for (int i = 0; i < b.count(); i++) {
        ids.add(b.data()[i * 8]);
        assertThat(b.labels()[i]).isEqualTo(((int) b.data()[i * 8]) % 2);
      }
    }
    assertThat(ids).hasSize(n);

    cfg.heldOutSamples = 20;
    assertThatThrownBy(() -> DatasetLoader.load(cfg, Split.TRAIN))
        .hasMessageContaining("heldOutSamples=20");

    TrainerConfig.Dataset builtin = new TrainerConfig.Dataset();
    builtin.heldOutSamples = 16;
    LoadedDataset shapes = DatasetLoader.load(builtin, Split.HELD_OUT);
    assertThat(shapes.batch().count()).isEqualTo(16);
    assertThat(shapes.classNames()).isEqualTo(BuiltinShapes.CLASS_NAMES);

    builtin.uri = "gs://bucket/data";
    assertThatThrownBy(() -> DatasetLoader.load(builtin, Split.TRAIN))
        .hasMessageContaining("unsupported scheme");
  }

  private static float[] ramp(int n, int c, int r, float start) {
    float[] v = new float[n * c * r * r * r];
    for (int i = 0; i < v.length; i++) {
      v[i] = start + i;
    }
    return v;
  }

  private static void writeNpz(Path file, float[] x, Shape shape, long[] y) throws IOException {
    try (NDManager m = NDManager.newBaseManager();
        OutputStream out = Files.newOutputStream(file)) {
      NDArray xs = m.create(x, shape);
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(out, NDList.Encoding.NPZ);
    }
  }

  /** The .npy v1.0 format: magic, header length, a Python-dict header padded to 64 bytes. */
  private static byte[] npy(String descr, String shape, byte[] body) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + dict.length() + 1) % 64;
    String header = dict + " ".repeat(pad % 64) + "\n";
    ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + body.length);
    buf.order(ByteOrder.LITTLE_ENDIAN);
    buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    buf.put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII)).put(body);
    return buf.array();
  }

  private static byte[] npyFloat32(float[] v, int... shape) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    StringBuilder s = new StringBuilder("(");
    for (int d : shape) {
      s.append(d).append(", ");
    }
    s.setLength(s.length() - 2);
    return npy("<f4", s.append(")").toString(), b.array());
  }

  private static byte[] npyInt64(long[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long l : v) {
      b.putLong(l);
    }
    return npy("<i8", "(" + v.length + ",)", b.array());
  }
}
