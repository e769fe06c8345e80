package io.distillery.mdt.bench;

import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.eval.ShapeClassifier;
import io.distillery.mdt.eval.ShapeEvaluator;

/**
 * Quality of generated shapes against held-out real shapes ({@link ShapeEvaluator}: FD on the
 * shipped classifier's features, class accuracy, MMD / COV / 1-NNA with the voxel-IoU distance),
 * plus the mean occupancy, which shows over- or under-filled samples at a glance. Generated and
 * reference sets have the same size, and the floor compares two reference halves of that size.
 */
public final class QualityProbe {
  private final ShapeClassifier classifier;
  private final VoxelBatch reference;
  private final VoxelBatch heldOut;

  public record Quality(
      double fd, double classAccuracy, double mmd, double cov, double nna, double occupancy) {}

  /**
   * @param heldOut held-out real shapes, at least {@code 2 * samples} for the floor
   * @param samples generated shapes per model
   */
  public QualityProbe(ShapeClassifier classifier, VoxelBatch heldOut, int samples) {
    this.classifier = classifier;
    this.heldOut = heldOut.binarized();
    this.reference = this.heldOut.slice(0, Math.min(samples, heldOut.count()));
  }

  public Quality measure(VoxelBatch generated) {
    VoxelBatch shapes = generated.binarized();
    ShapeEvaluator.Quality q = ShapeEvaluator.evaluate(classifier, shapes, reference);
    return new Quality(q.fd(), q.classAccuracy(), q.mmd(), q.cov(), q.nna(), occupancy(shapes));
  }

  /** FD between two halves of the held-out shapes: what a perfect generator would score. */
  public double referenceFloor() {
    int n = Math.min(heldOut.count(), 2 * reference.count());
    return ShapeEvaluator.fdBetweenHalves(classifier, heldOut.slice(0, n));
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
