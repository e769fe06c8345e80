package io.distillery.mdt.eval;

import io.distillery.mdt.data.VoxelBatch;
import java.util.List;

/**
 * The feature space of the distribution figures (FD, precision, recall, density, coverage): one row
 * of {@code D} numbers per sample. Implemented by the shipped {@link ShapeClassifier} (built-in
 * shapes, which also predicts classes), {@link TeacherFeatures} (any teacher) and {@link
 * TorchScriptFeatures} (a module the user supplies). Figures are comparable only on the same
 * features: {@link #describe()} names them in every report.
 */
public interface FeatureExtractor extends AutoCloseable {

  /** Feature rows of every sample, in order. */
  double[][] features(VoxelBatch batch);

  /** {@code classifier}, {@code teacher} or {@code torchscript sha256:<hex>}. */
  String describe();

  /** Predicted classes, or null when these features come with no classifier. */
  default int[] predict(VoxelBatch batch) {
    return null;
  }

  /** Class names of {@link #predict}; null without a classifier. */
  default List<String> classNames() {
    return null;
  }

  /**
   * Whether grids are binarised before the features are taken (the classifier judges occupancy);
   * {@link io.distillery.mdt.bench.QualityProbe} then binarises the reference the same way.
   */
  default boolean binarizes() {
    return false;
  }

  @Override
  void close();

  /** Rows {@code from..to} of {@code out} from a row-major {@code (to - from, D)} float array. */
  static void putRows(float[] flat, double[][] out, int from, int to) {
    int d = flat.length / (to - from);
    for (int k = 0; k < to - from; k++) {
      double[] row = new double[d];
      for (int j = 0; j < d; j++) row[j] = flat[k * d + j];
      out[from + k] = row;
    }
  }
}
