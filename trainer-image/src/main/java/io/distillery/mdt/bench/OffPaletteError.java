package io.distillery.mdt.bench;

import io.distillery.mdt.data.BuiltinAppearance;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.VoxelBatch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * How far generated colours are from any colour the built-in appearance ({@link BuiltinAppearance})
 * can give a shape of their class: a figure for the appearance stage that needs no ground truth,
 * since a generated structure has none. For one occupied voxel of class c it is the squared
 * distance (mean over the channels, colours in [-1, 1] as {@code AppearanceError} scales them) to
 * the nearest colour of class c: any part, either palette variant, any shade in [{@value
 * BuiltinAppearance#DARKEST}, 1], i.e. the nearest point of each part colour's shading segment. A
 * shape's error is the mean over its occupied voxels; the ground truth scores 0.
 */
public final class OffPaletteError {
  private OffPaletteError() {}

  /**
   * Why the figure does not apply to a model with these classes and colour channels, or null when
   * it does: it knows only the built-in classes' palettes, in RGB.
   */
  public static String notApplicable(List<String> classNames, int channels) {
    if (channels != BuiltinAppearance.CHANNELS) {
      return "the appearance model has "
          + channels
          + " channels; the built-in palettes are RGB ("
          + BuiltinAppearance.CHANNELS
          + ")";
    }
    if (!BuiltinShapes.CLASS_NAMES.equals(classNames)) {
      return "the model's classes "
          + classNames
          + " are not the built-in shapes' "
          + BuiltinShapes.CLASS_NAMES
          + ", whose palettes the figure knows";
    }
    return null;
  }

  /** Error of one voxel of class {@code label} with colour {@code rgb} (in [-1, 1]). */
  public static double ofVoxel(int label, double[] rgb) {
    double best = Double.POSITIVE_INFINITY;
    int n = BuiltinAppearance.CHANNELS;
    for (int variant = 0; variant < BuiltinAppearance.VARIANTS; variant++) {
      for (int part = 0; part < BuiltinAppearance.parts(label); part++) {
        // The segment is -1 + s q for s in [DARKEST, 1], q = 2 * part colour; with u = rgb + 1
        // the nearest point has s = (u . q) / (q . q), clamped.
        double[] p = BuiltinAppearance.partColour(label, variant, part);
        double uq = 0;
        double qq = 0;
        for (int c = 0; c < n; c++) {
          double q = 2 * p[c];
          uq += (rgb[c] + 1) * q;
          qq += q * q;
        }
        double s = qq == 0 ? 1 : Math.min(1, Math.max(BuiltinAppearance.DARKEST, uq / qq));
        double d = 0;
        for (int c = 0; c < n; c++) {
          double e = rgb[c] - (2 * p[c] * s - 1);
          d += e * e;
        }
        best = Math.min(best, d / n);
      }
    }
    return best;
  }

  /**
   * Per shape of {@code colours} (N, 3, R, R, R, labels = classes): the mean error over the voxels
   * {@code occupancy} (N, 1, R, R, R, +1 filled) marks occupied; NaN for a shape without any.
   */
  public static double[] perShape(VoxelBatch occupancy, VoxelBatch colours) {
    if (occupancy.count() != colours.count() || occupancy.voxels() != colours.voxels()) {
      throw new IllegalArgumentException(
          "occupancy has "
              + occupancy.count()
              + " x "
              + occupancy.voxels()
              + " voxels, colours "
              + colours.count()
              + " x "
              + colours.voxels());
    }
    if (colours.channels() != BuiltinAppearance.CHANNELS) {
      throw new IllegalArgumentException(
          "colours have " + colours.channels() + " channels, expected RGB");
    }
    int v = colours.voxels();
    return IntStream.range(0, colours.count())
        .parallel()
        .mapToDouble(
            i -> {
              int label = colours.labels()[i];
              int base = i * colours.sampleSize();
              double[] rgb = new double[BuiltinAppearance.CHANNELS];
              double sum = 0;
              int filled = 0;
              for (int k = 0; k < v; k++) {
                if (occupancy.data()[i * occupancy.sampleSize() + k] <= 0) continue;
                for (int c = 0; c < rgb.length; c++) {
                  rgb[c] = colours.data()[base + c * v + k];
                }
                sum += ofVoxel(label, rgb);
                filled++;
              }
              return filled == 0 ? Double.NaN : sum / filled;
            })
        .toArray();
  }

  /**
   * Mean over the shapes that have a value (NaN ones are skipped: empty structures got no colours),
   * with a 95% percentile bootstrap interval over those shapes ({@link Bootstrap}'s bias-corrected
   * interval, {@code replicates} draws from {@code seed}).
   */
  public static Estimate estimate(double[] perShape, int replicates, long seed) {
    double[] v = Arrays.stream(perShape).filter(Double::isFinite).toArray();
    if (v.length == 0) return new Estimate(Double.NaN, Double.NaN, Double.NaN);
    double point = Arrays.stream(v).average().orElseThrow();
    double[] reps = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + b);
      double sum = 0;
      for (int k : Bootstrap.draw(rng, v.length, v.length)) sum += v[k];
      reps[b] = sum / v.length;
    }
    return Bootstrap.Result.interval(point, Arrays.stream(reps));
  }
}
