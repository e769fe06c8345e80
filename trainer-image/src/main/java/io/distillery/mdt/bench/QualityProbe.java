package io.distillery.mdt.bench;

import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.FeatureExtractor;
import io.distillery.mdt.eval.ShapeEvaluator;
import java.util.List;

/**
 * Quality of generated samples against held-out real samples ({@link ShapeEvaluator}: FD, class
 * accuracy when the features come with a classifier, precision / recall / density / coverage and
 * MMD / COV / 1-NNA, all on one {@link FeatureExtractor}'s features), plus for occupancy grids the
 * mean occupancy, which shows over- or under-filled samples at a glance. Generated and reference
 * sets have the same size, and the floor compares two reference halves of that size.
 */
public final class QualityProbe {
  private final FeatureExtractor features;
  private final VoxelBatch reference;
  private final VoxelBatch heldOut;
  private double[][] referenceFeatures;

  public record Quality(
      double fd,
      double classAccuracy,
      double precision,
      double recall,
      double mmd,
      double cov,
      double nna,
      double occupancy) {}

  /** What {@link Bootstrap} resamples, and the occupancy. */
  public record Measurement(ShapeEvaluator.Measured measured, double occupancy) {}

  /**
   * @param heldOut held-out real shapes, at least {@code 2 * samples} for the floor
   * @param samples generated shapes per model
   */
  public QualityProbe(FeatureExtractor features, VoxelBatch heldOut, int samples) {
    this.features = features;
    this.heldOut = features.binarizes() ? heldOut.binarized() : heldOut;
    this.reference = this.heldOut.slice(0, Math.min(samples, heldOut.count()));
  }

  /**
   * Refuses an evaluation sample count below the number of classes: classes are drawn in turn, so
   * fewer samples leave classes out of every metric. Exit code 2, naming the option.
   */
  public static void checkSampleCount(int samples, int numClasses, String option) {
    if (samples < numClasses) {
      throw new InvalidConfigException(
          option
              + ": "
              + samples
              + " evaluation samples are fewer than the "
              + numClasses
              + " classes; every class needs at least one (512 keep class accuracy's 95%"
              + " interval within +-4 points over 2 evaluation seeds)");
    }
  }

  public Quality measure(VoxelBatch generated) {
    Measurement m = measureForBootstrap(generated);
    ShapeEvaluator.Quality q = m.measured().quality(referenceFeatures());
    return new Quality(
        q.fd(),
        q.classAccuracy(),
        q.precision(),
        q.recall(),
        q.mmd(),
        q.cov(),
        q.nna(),
        m.occupancy());
  }

  /** Features, predictions and per-shape set-metric terms against the reference. */
  public Measurement measureForBootstrap(VoxelBatch generated) {
    VoxelBatch shapes = features.binarizes() ? generated.binarized() : generated;
    return new Measurement(
        ShapeEvaluator.measure(features, shapes, referenceFeatures()),
        generated.channels() == 1 ? occupancy(generated.binarized()) : Double.NaN);
  }

  /** {@link FeatureExtractor#describe()} of the features every figure is computed on. */
  public String featuresName() {
    return features.describe();
  }

  /** Whether class accuracy is measured (the features come with a classifier). */
  public boolean classifies() {
    return features.classNames() != null;
  }

  public synchronized double[][] referenceFeatures() {
    if (referenceFeatures == null) {
      referenceFeatures = features.features(reference);
    }
    return referenceFeatures;
  }

  /** The classifier's class names; null when the features come with none. */
  public List<String> classNames() {
    return features.classNames();
  }

  /** FD between two halves of the held-out shapes: what a perfect generator would score. */
  public double referenceFloor() {
    int n = Math.min(heldOut.count(), 2 * reference.count());
    return ShapeEvaluator.fdBetweenHalves(features, heldOut.slice(0, n));
  }

  /** Every metric of one held-out half against the other: the values of a perfect generator. */
  public ShapeEvaluator.Quality realVsReal() {
    int n = Math.min(heldOut.count(), 2 * reference.count());
    return ShapeEvaluator.betweenHalves(features, heldOut.slice(0, n));
  }

  /** Mean occupancy of the reference grids; NaN for data that is not an occupancy grid. */
  public double referenceOccupancy() {
    return reference.channels() == 1 ? occupancy(reference.binarized()) : Double.NaN;
  }

  /** Mean filled fraction of binarised shapes. */
  public static double occupancy(VoxelBatch shapes) {
    double filled = 0;
    for (int i = 0; i < shapes.count(); i++) {
      for (float v : shapes.occupancy(i)) filled += v;
    }
    return filled / ((double) shapes.count() * shapes.voxels());
  }
}
