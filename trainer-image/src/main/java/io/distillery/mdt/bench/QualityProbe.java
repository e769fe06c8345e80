package io.distillery.mdt.bench;

import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.eval.ShapeEvaluator;
import java.util.List;

/**
 * Quality of generated shapes against held-out real shapes ({@link ShapeEvaluator}: FD, class
 * accuracy, precision / recall / density / coverage and MMD / COV / 1-NNA, all on the shipped
 * classifier's features), plus the mean occupancy, which shows over- or under-filled samples at a
 * glance. Generated and reference sets have the same size, and the floor compares two reference
 * halves of that size.
 */
public final class QualityProbe {
  private final ShapeClassifier classifier;
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
  public QualityProbe(ShapeClassifier classifier, VoxelBatch heldOut, int samples) {
    this.classifier = classifier;
    this.heldOut = heldOut.binarized();
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
    VoxelBatch shapes = generated.binarized();
    return new Measurement(
        ShapeEvaluator.measure(classifier, shapes, referenceFeatures()), occupancy(shapes));
  }

  public synchronized double[][] referenceFeatures() {
    if (referenceFeatures == null) {
      referenceFeatures = classifier.features(reference);
    }
    return referenceFeatures;
  }

  public List<String> classNames() {
    return classifier.classNames();
  }

  /** FD between two halves of the held-out shapes: what a perfect generator would score. */
  public double referenceFloor() {
    int n = Math.min(heldOut.count(), 2 * reference.count());
    return ShapeEvaluator.fdBetweenHalves(classifier, heldOut.slice(0, n));
  }

  /** Every metric of one held-out half against the other: the values of a perfect generator. */
  public ShapeEvaluator.Quality realVsReal() {
    int n = Math.min(heldOut.count(), 2 * reference.count());
    return ShapeEvaluator.betweenHalves(classifier, heldOut.slice(0, n));
  }

  public double referenceOccupancy() {
    return occupancy(reference);
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
