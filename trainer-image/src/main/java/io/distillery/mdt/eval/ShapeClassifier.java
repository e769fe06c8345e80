package io.distillery.mdt.eval;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.data.VoxelBatch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small 3D CNN that classifies occupancy grids; its penultimate activations are the features of
 * the Frechet distance. Inputs are binarised first (channel 0 above 0 is filled), so real shapes
 * and a generator's continuous outputs are judged alike.
 *
 * <p>Three conv(3^3) + batch-norm + ReLU stages of width w, 2w, 4w with 2^3 max-pooling between
 * them, global average pooling, a {@code featureDim}-unit linear + ReLU layer (the features), and a
 * linear layer to class logits. The instance owns a DJL {@link Model}; close it.
 */
public final class ShapeClassifier implements FeatureExtractor {
  /** Name of the bundled classifier artifact for 16^3 grids. */
  public static final String SHIPPED = "classifier-16";

  static final String WEIGHTS = "classifier.params";
  static final String KIND = "shape-classifier";
  private static final int CHUNK = 128;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Model model;
  private final SequentialBlock backbone;
  private final Block head;
  private final int resolution;
  private final int width;
  private final int featureDim;
  private final List<String> classNames;

  private ShapeClassifier(int resolution, int width, int featureDim, List<String> classNames) {
    this.resolution = resolution;
    this.width = width;
    this.featureDim = featureDim;
    this.classNames = List.copyOf(classNames);
    this.backbone = new SequentialBlock();
    for (int stage = 0; stage < 3; stage++) {
      backbone
          .add(
              Conv3d.builder()
                  .setKernelShape(new Shape(3, 3, 3))
                  .optPadding(new Shape(1, 1, 1))
                  .setFilters(width << stage)
                  .build())
          .add(BatchNorm.builder().build())
          .add(Activation.reluBlock());
      if (stage < 2) {
        backbone.add(Pool.maxPool3dBlock(new Shape(2, 2, 2), new Shape(2, 2, 2)));
      }
    }
    backbone
        .add(Pool.globalAvgPool3dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(featureDim).build())
        .add(Activation.reluBlock());
    this.head = Linear.builder().setUnits(classNames.size()).build();
    this.model = Model.newInstance("shape-classifier");
    model.setBlock(new SequentialBlock().add(backbone).add(head));
  }

  /** A new, untrained classifier with initialised weights. */
  public static ShapeClassifier create(
      int resolution, List<String> classNames, int width, int featureDim) {
    if (classNames.size() < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes");
    }
    ShapeClassifier c = new ShapeClassifier(resolution, width, featureDim, classNames);
    c.model.getBlock().initialize(c.model.getNDManager(), DataType.FLOAT32, c.inputShape(1));
    return c;
  }

  /** Loads a classifier artifact, verifying its digests. */
  public static ShapeClassifier load(Path dir) throws IOException {
    return load(Artifact.open(dir));
  }

  /** The classifier shipped with the program (16^3 built-in shapes). */
  public static ShapeClassifier loadShipped() throws IOException {
    return load(BundledArtifacts.open(SHIPPED));
  }

  public static ShapeClassifier load(Artifact artifact) throws IOException {
    JsonNode m = artifact.modelJson();
    if (!KIND.equals(m.path("kind").asText())) {
      throw new IOException(
          artifact.dir() + ": model.json kind is '" + m.path("kind").asText() + "', not " + KIND);
    }
    List<String> names = new ArrayList<>();
    m.path("classNames").forEach(n -> names.add(n.asText()));
    ShapeClassifier c =
        new ShapeClassifier(
            m.path("resolution").asInt(),
            m.path("width").asInt(),
            m.path("featureDim").asInt(),
            names);
    try {
      Block block = c.model.getBlock();
      block.initialize(c.model.getNDManager(), DataType.FLOAT32, c.inputShape(1));
      try (DataInputStream in =
          new DataInputStream(
              new BufferedInputStream(Files.newInputStream(artifact.file(WEIGHTS))))) {
        block.loadParameters(c.model.getNDManager(), in);
      }
    } catch (IOException | MalformedModelException | RuntimeException e) {
      c.close();
      throw new IOException(artifact.dir() + ": cannot load " + WEIGHTS + ": " + e.getMessage(), e);
    }
    return c;
  }

  /**
   * Writes the classifier as an artifact; {@code report} (may be null) is stored as training.json.
   */
  public Artifact save(Path dir, Object report) throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      try (DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(w.newFile(WEIGHTS)))) {
        model.getBlock().saveParameters(out);
      }
      if (report != null) {
        w.writeJson("training.json", report);
      }
      ObjectNode m = JSON.createObjectNode();
      m.put("kind", KIND);
      m.put("resolution", resolution);
      m.put("width", width);
      m.put("featureDim", featureDim);
      classNames.forEach(m.putArray("classNames")::add);
      w.modelJson(m);
      return w.commit();
    }
  }

  public Model model() {
    return model;
  }

  public int resolution() {
    return resolution;
  }

  public int featureDim() {
    return featureDim;
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public String describe() {
    return "classifier";
  }

  @Override
  public boolean binarizes() {
    return true;
  }

  Shape inputShape(int batch) {
    return new Shape(batch, 1, resolution, resolution, resolution);
  }

  /** Predicted class of every sample. */
  @Override
  public int[] predict(VoxelBatch batch) {
    int[] out = new int[batch.count()];
    forEachChunk(
        batch,
        (from, features, store) -> {
          NDArray logits = head.forward(store, new NDList(features), false).singletonOrThrow();
          long[] argmax = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
          for (int k = 0; k < argmax.length; k++) {
            out[from + k] = (int) argmax[k];
          }
        });
    return out;
  }

  /** Penultimate-layer features of every sample (rows). */
  @Override
  public double[][] features(VoxelBatch batch) {
    double[][] out = new double[batch.count()][];
    forEachChunk(
        batch,
        (from, features, store) -> {
          float[] flat = features.toFloatArray();
          for (int k = 0; k < flat.length / featureDim; k++) {
            double[] row = new double[featureDim];
            for (int j = 0; j < featureDim; j++) {
              row[j] = flat[k * featureDim + j];
            }
            out[from + k] = row;
          }
        });
    return out;
  }

  /** Fraction of samples whose predicted class equals their label. */
  public double accuracy(VoxelBatch batch) {
    int[] predicted = predict(batch);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      correct += predicted[i] == batch.labels()[i] ? 1 : 0;
    }
    return batch.count() == 0 ? 0 : (double) correct / batch.count();
  }

  private interface ChunkConsumer {
    void accept(int from, NDArray features, ParameterStore store);
  }

  private void forEachChunk(VoxelBatch batch, ChunkConsumer consumer) {
    if (batch.resolution() != resolution) {
      throw new IllegalArgumentException(
          "classifier expects " + resolution + "^3 grids, got " + batch.resolution() + "^3");
    }
    VoxelBatch binary = batch.binarized();
    for (int from = 0; from < binary.count(); from += CHUNK) {
      int to = Math.min(binary.count(), from + CHUNK);
      try (NDManager scope = model.getNDManager().newSubManager()) {
        ParameterStore store = new ParameterStore(scope, false);
        NDArray x = binary.slice(from, to).toNDArray(scope);
        NDArray features = backbone.forward(store, new NDList(x), false).singletonOrThrow();
        consumer.accept(from, features, store);
      }
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
