package io.distillery.mdt.eval;

import io.distillery.mdt.data.VoxelBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality metrics of {@code mdt evaluate} for generated shapes against held-out reference
 * shapes: Frechet distance on the classifier's features, class accuracy of the generated shapes
 * (the label of a generated sample is the class it was conditioned on), and MMD / COV / 1-NNA with
 * the voxel IoU distance. Every grid is binarised first (channel 0 above 0 is filled).
 */
public final class ShapeEvaluator {
  private ShapeEvaluator() {}

  /** Metric values under the keys of the report (fd, classAccuracy, mmd, cov, nna). */
  public record Quality(
      double fd, double classAccuracy, double mmd, double cov, double nna, int samples) {}

  public static Quality evaluate(
      ShapeClassifier classifier, VoxelBatch generated, VoxelBatch reference) {
    double fd =
        FrechetDistance.compute(classifier.features(generated), classifier.features(reference));
    double accuracy = classifier.accuracy(generated);
    SetMetrics.Result set = SetMetrics.computePacked(packed(generated), packed(reference));
    return new Quality(fd, accuracy, set.mmd(), set.cov(), set.nna(), generated.count());
  }

  /**
   * The FD floor: distance between the first and second half of the reference set, what two samples
   * of the same distribution score at this sample size.
   */
  public static double fdBetweenHalves(ShapeClassifier classifier, VoxelBatch reference) {
    int half = reference.count() / 2;
    return FrechetDistance.compute(
        classifier.features(reference.slice(0, half)),
        classifier.features(reference.slice(half, 2 * half)));
  }

  static List<long[]> packed(VoxelBatch batch) {
    List<long[]> out = new ArrayList<>(batch.count());
    for (int i = 0; i < batch.count(); i++) {
      out.add(VoxelIoU.pack(batch.occupancy(i)));
    }
    return out;
  }
}
