package io.distillery.mdt.eval;

import io.distillery.mdt.data.VoxelBatch;
import java.util.List;

/**
 * How close a student's samples are to the teacher's reference samples from the same noise and
 * condition: what "the student keeps the teacher's quality" literally means, measurable for any
 * model without a classifier or real data. Per sample, in the data space: the relative L2 error
 * {@code ||s - t|| / ||t||}, the mean squared error per value, the cosine similarity and, for
 * occupancy data (one channel, filled where above 0), the IoU of the two grids (1 when both are
 * empty).
 */
public final class PairedFidelity {
  /** The figures, in the order of {@link Items#figure}. */
  public static final List<String> FIGURES =
      List.of("pairedError", "pairedMse", "pairedCosine", "pairedIoU");

  private PairedFidelity() {}

  /**
   * Per-sample figures of one set, indexed by sample; {@code iou} is null for data that is not an
   * occupancy grid.
   */
  public record Items(double[] error, double[] mse, double[] cosine, double[] iou) {
    /** Figure {@code f} of {@link #FIGURES}, or null when it does not apply. */
    public double[] figure(int f) {
      return switch (f) {
        case 0 -> error;
        case 1 -> mse;
        case 2 -> cosine;
        case 3 -> iou;
        default -> throw new IllegalArgumentException("figure " + f);
      };
    }

    public int count() {
      return error.length;
    }
  }

  /** Whether {@code batch} holds occupancy grids, where IoU applies. */
  public static boolean occupancy(VoxelBatch batch) {
    return batch.channels() == 1;
  }

  /** Sample {@code i} of {@code generated} against sample {@code i} of {@code teacher}. */
  public static Items measure(VoxelBatch generated, VoxelBatch teacher) {
    if (generated.count() != teacher.count()
        || generated.sampleSize() != teacher.sampleSize()
        || generated.channels() != teacher.channels()) {
      throw new IllegalArgumentException(
          "paired sets differ: "
              + generated.count()
              + " x "
              + generated.sampleSize()
              + " against "
              + teacher.count()
              + " x "
              + teacher.sampleSize());
    }
    int n = generated.count();
    int size = generated.sampleSize();
    boolean occupancy = occupancy(teacher);
    double[] error = new double[n];
    double[] mse = new double[n];
    double[] cosine = new double[n];
    double[] iou = occupancy ? new double[n] : null;
    float[] s = generated.data();
    float[] t = teacher.data();
    for (int i = 0; i < n; i++) {
      int base = i * size;
      double diff = 0;
      double ss = 0;
      double tt = 0;
      double st = 0;
      int both = 0;
      int either = 0;
      for (int k = base; k < base + size; k++) {
        double d = s[k] - t[k];
        diff += d * d;
        ss += (double) s[k] * s[k];
        tt += (double) t[k] * t[k];
        st += (double) s[k] * t[k];
        boolean a = s[k] > 0f;
        boolean b = t[k] > 0f;
        both += a && b ? 1 : 0;
        either += a || b ? 1 : 0;
      }
      error[i] = Math.sqrt(diff) / Math.max(Math.sqrt(tt), 1e-12);
      mse[i] = diff / size;
      cosine[i] = ss == 0 && tt == 0 ? 1 : st / Math.max(Math.sqrt(ss * tt), 1e-24);
      if (occupancy) {
        iou[i] = either == 0 ? 1 : (double) both / either;
      }
    }
    return new Items(error, mse, cosine, iou);
  }
}
