package io.distillery.mdt.eval;

import io.distillery.mdt.data.VoxelBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality metrics of generated samples against held-out reference samples, all in one feature
 * space ({@link FeatureExtractor}; the shipped classifier for the built-in shapes, EVALUATION.md):
 * Frechet distance, class accuracy of the generated samples when the features come with a
 * classifier (the label of a generated sample is the class it was conditioned on), k-NN precision /
 * recall / density / coverage and MMD / COV / 1-NNA on feature distances ({@link
 * FeatureSetMetrics}).
 *
 * <p>The set metrics used to be computed on the voxel-IoU distance ({@link SetMetrics}); there they
 * preferred over-filled blobs to real-looking shapes, see EVALUATION.md, so they moved here.
 */
public final class ShapeEvaluator {
  private ShapeEvaluator() {}

  /** Metric values under the keys of the report. */
  public record Quality(
      double fd,
      double classAccuracy,
      double precision,
      double recall,
      double density,
      double coverage,
      double mmd,
      double cov,
      double nna,
      int samples) {}

  /**
   * What the metrics of one generated set are made of, kept so that a bootstrap can resample
   * shapes: features (rows), predicted classes, conditioned labels and the per-shape set-metric
   * terms against the reference set.
   */
  public record Measured(
      double[][] features, int[] predicted, int[] labels, FeatureSetMetrics.Items items) {
    /** Whether generated shape {@code i} was classified as the class it was conditioned on. */
    public boolean correct(int i) {
      return predicted != null && predicted[i] == labels[i];
    }

    /** Whether these features came with a classifier's predictions. */
    public boolean classified() {
      return predicted != null;
    }

    /** Share of samples classified as their condition; NaN without a classifier. */
    public double accuracy() {
      if (predicted == null) return Double.NaN;
      int c = 0;
      for (int i = 0; i < labels.length; i++) c += correct(i) ? 1 : 0;
      return labels.length == 0 ? 0 : (double) c / labels.length;
    }

    public Quality quality(double[][] referenceFeatures) {
      FeatureSetMetrics.Result set = items.result();
      return new Quality(
          FrechetDistance.compute(features, referenceFeatures),
          accuracy(),
          set.precision(),
          set.recall(),
          set.density(),
          set.coverage(),
          set.mmd(),
          set.cov(),
          set.nna(),
          labels.length);
    }
  }

  public static Quality evaluate(
      FeatureExtractor features, VoxelBatch generated, VoxelBatch reference) {
    double[][] ref = features.features(reference);
    return measure(features, generated, ref).quality(ref);
  }

  /** Features, predictions and set-metric terms of {@code generated} against the reference. */
  public static Measured measure(
      FeatureExtractor extractor, VoxelBatch generated, double[][] referenceFeatures) {
    double[][] features = extractor.features(generated);
    int[] predicted = extractor.predict(generated);
    return new Measured(
        features,
        predicted,
        generated.labels().clone(),
        FeatureSetMetrics.items(features, referenceFeatures, FeatureSetMetrics.DEFAULT_K));
  }

  /**
   * The FD floor: distance between the first and second half of the reference set, what two samples
   * of the same distribution score at this sample size.
   */
  public static double fdBetweenHalves(FeatureExtractor features, VoxelBatch reference) {
    int half = reference.count() / 2;
    return FrechetDistance.compute(
        features.features(reference.slice(0, half)),
        features.features(reference.slice(half, 2 * half)));
  }

  /** Every metric of the second half of the reference set against the first: the ideal values. */
  public static Quality betweenHalves(FeatureExtractor features, VoxelBatch reference) {
    int half = reference.count() / 2;
    return evaluate(features, reference.slice(half, 2 * half), reference.slice(0, half));
  }

  static List<long[]> packed(VoxelBatch batch) {
    List<long[]> out = new ArrayList<>(batch.count());
    for (int i = 0; i < batch.count(); i++) {
      out.add(VoxelIoU.pack(batch.occupancy(i)));
    }
    return out;
  }
}
