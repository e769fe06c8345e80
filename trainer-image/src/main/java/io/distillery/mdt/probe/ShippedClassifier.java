package io.distillery.mdt.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.ShapeClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The shipped shape classifier as the probe uses it: {@link #judges} reads only its {@code
 * model.json} (no PyTorch), so a probe of models it does not apply to never loads the engine;
 * {@link #load} loads it for {@link #features} and {@link #accuracy}.
 */
final class ShippedClassifier implements AutoCloseable {
  private static final String MODEL_JSON = "models/" + ShapeClassifier.SHIPPED + "/model.json";

  private final ShapeClassifier classifier;

  private ShippedClassifier(ShapeClassifier classifier) {
    this.classifier = classifier;
  }

  /** Whether the classifier applies: the model's grid is its resolution and its classes are its. */
  static boolean judges(ServedModel model) {
    JsonNode spec = spec();
    List<String> names = new ArrayList<>();
    spec.path("classNames").forEach(n -> names.add(n.asText()));
    return model.occupancy()
        && model.resolution() == spec.path("resolution").asInt()
        && new HashSet<>(model.classes()).equals(new HashSet<>(names));
  }

  private static JsonNode spec() {
    try (InputStream in =
        ShippedClassifier.class.getClassLoader().getResourceAsStream(MODEL_JSON)) {
      if (in == null) {
        throw new IOException("no bundled " + MODEL_JSON + " in this build");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ShippedClassifier load() throws IOException {
    return new ShippedClassifier(ShapeClassifier.loadShipped());
  }

  /** The classifier's penultimate features of each grid. */
  double[][] features(List<boolean[]> grids, int resolution) {
    return classifier.features(batch(grids, new ArrayList<>(), resolution));
  }

  /** Share of {@code grids} classified as the class each was asked for. */
  double accuracy(List<boolean[]> grids, List<String> asked, int resolution) {
    List<Integer> labels = new ArrayList<>();
    for (String c : asked) {
      labels.add(classifier.classNames().indexOf(c));
    }
    return classifier.accuracy(batch(grids, labels, resolution));
  }

  /** Grids as +1 (filled) / -1 (empty), the data convention; no labels means label 0. */
  private static VoxelBatch batch(List<boolean[]> grids, List<Integer> labels, int resolution) {
    int voxels = resolution * resolution * resolution;
    float[] data = new float[grids.size() * voxels];
    int[] y = new int[grids.size()];
    for (int i = 0; i < grids.size(); i++) {
      boolean[] g = grids.get(i);
      for (int v = 0; v < voxels; v++) {
        data[i * voxels + v] = g[v] ? 1f : -1f;
      }
      y[i] = labels.isEmpty() ? 0 : labels.get(i);
    }
    return new VoxelBatch(data, y, grids.size(), 1, resolution);
  }

  @Override
  public void close() {
    classifier.close();
  }
}
