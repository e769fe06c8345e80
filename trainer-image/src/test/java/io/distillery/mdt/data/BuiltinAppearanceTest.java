package io.distillery.mdt.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.mdt.data.BuiltinShapes.Split;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BuiltinAppearanceTest {

  private static final int CHAIR = BuiltinShapes.CLASS_NAMES.indexOf("chair");
  private static final int TORUS = BuiltinShapes.CLASS_NAMES.indexOf("torus");
  private static final int SPHERE = BuiltinShapes.CLASS_NAMES.indexOf("sphere");

  @Test
  void structuresAreThoseOfBuiltinShapes() {
    AppearanceBatch a = BuiltinAppearance.generate(16, 40, 3, Split.TRAIN);
    VoxelBatch shapes = BuiltinShapes.generate(16, 40, 3, Split.TRAIN);
    assertThat(a.shapes().data()).isEqualTo(shapes.data());
    assertThat(a.shapes().labels()).isEqualTo(shapes.labels());
    AppearanceBatch b = BuiltinAppearance.generate(32, 16, 5, Split.HELD_OUT);
    assertThat(b.shapes().data())
        .isEqualTo(BuiltinShapes.generate(32, 16, 5, Split.HELD_OUT).data());
    assertThat(b.colours()).hasSize(16 * 3 * 32 * 32 * 32);
  }

  @Test
  void coloursAreZeroOffTheStructureAndInRangeOnIt() {
    AppearanceBatch a = BuiltinAppearance.generate(16, 32, 1, Split.TRAIN);
    int v = a.shapes().voxels();
    for (int i = 0; i < a.count(); i++) {
      float[] occ = a.shapes().occupancy(i);
      float[] rgb = sample(a, i);
      int nonZero = 0;
      for (int k = 0; k < v; k++) {
        for (int c = 0; c < 3; c++) {
          float value = rgb[c * v + k];
          if (occ[k] == 0f) {
            assertThat(value).as("sample %d voxel %d channel %d", i, k, c).isEqualTo(0f);
          } else {
            assertThat(value).isBetween(-1f, 1f);
            nonZero += value != 0f ? 1 : 0;
          }
        }
      }
      assertThat(nonZero).isPositive();
    }
  }

  @Test
  void aChairsTopAndBottomHaveDifferentColours() {
    // Top-most voxels are the backrest, bottom-most the legs. Chromaticity (colour over its sum)
    // ignores the height shading, which only scales brightness, so what differs is the part.
    AppearanceBatch a = BuiltinAppearance.generate(32, 64, 9, Split.TRAIN);
    double distance = 0;
    int chairs = 0;
    for (int i = 0; i < a.count(); i++) {
      if (a.shapes().labels()[i] != CHAIR) {
        continue;
      }
      chairs++;
      int[] ys = occupiedYRange(a, i);
      int band = Math.max(1, (ys[1] - ys[0]) / 5);
      double[] top = meanColour(a, i, (x, y, z) -> y > ys[1] - band);
      double[] bottom = meanColour(a, i, (x, y, z) -> y < ys[0] + band);
      distance += l1(chroma(top), chroma(bottom));
    }
    assertThat(chairs).isEqualTo(8);
    assertThat(distance / chairs).isGreaterThan(0.3);
  }

  @Test
  void aTorusInnerSideDiffersFromItsOuterSide() {
    // The quarter of voxels nearest the centroid lies on the inner side of the ring, the farthest
    // quarter on the outer side, whatever the orientation.
    AppearanceBatch a = BuiltinAppearance.generate(32, 64, 4, Split.TRAIN);
    int r = a.resolution();
    double distance = 0;
    int tori = 0;
    for (int i = 0; i < a.count(); i++) {
      if (a.shapes().labels()[i] != TORUS) {
        continue;
      }
      tori++;
      float[] occ = a.shapes().occupancy(i);
      double[] centroid = new double[3];
      int n = 0;
      for (int k = 0; k < occ.length; k++) {
        if (occ[k] > 0) {
          centroid[0] += k / (r * r);
          centroid[1] += (k / r) % r;
          centroid[2] += k % r;
          n++;
        }
      }
      double cx = centroid[0] / n;
      double cy = centroid[1] / n;
      double cz = centroid[2] / n;
      double[] radii = new double[n];
      int j = 0;
      for (int k = 0; k < occ.length; k++) {
        if (occ[k] > 0) {
          radii[j++] = Math.hypot(Math.hypot(k / (r * r) - cx, (k / r) % r - cy), k % r - cz);
        }
      }
      Arrays.sort(radii);
      double near = radii[n / 4];
      double far = radii[3 * n / 4];
      VoxelTest inner = (x, y, z) -> Math.hypot(Math.hypot(x - cx, y - cy), z - cz) <= near;
      VoxelTest outer = (x, y, z) -> Math.hypot(Math.hypot(x - cx, y - cy), z - cz) >= far;
      distance += l1(chroma(meanColour(a, i, inner)), chroma(meanColour(a, i, outer)));
    }
    assertThat(tori).isEqualTo(8);
    assertThat(distance / tori).isGreaterThan(0.15);
  }

  @Test
  void higherVoxelsOfASphereAreBrighter() {
    AppearanceBatch a = BuiltinAppearance.generate(32, 64, 6, Split.TRAIN);
    int spheres = 0;
    for (int i = 0; i < a.count(); i++) {
      if (a.shapes().labels()[i] != SPHERE) {
        continue;
      }
      spheres++;
      int[] ys = occupiedYRange(a, i);
      int band = Math.max(1, (ys[1] - ys[0]) / 4);
      double top = brightness(meanColour(a, i, (x, y, z) -> y > ys[1] - band));
      double bottom = brightness(meanColour(a, i, (x, y, z) -> y < ys[0] + band));
      assertThat(top).as("sample %d", i).isGreaterThan(1.2 * bottom);
    }
    assertThat(spheres).isEqualTo(8);
  }

  @Test
  void bothVariantsOccurDifferAndTheGroundTruthHoldsTheDrawnOne() {
    AppearanceBatch a = BuiltinAppearance.generate(16, 16, 2, Split.TRAIN);
    assertThat(a.variant()).contains(0, 1);
    int size = a.sampleSize();
    int v = a.shapes().voxels();
    for (int i = 0; i < a.count(); i++) {
      float[] variants = a.variants(i);
      assertThat(variants).hasSize(BuiltinAppearance.VARIANTS * size);
      float[] zero = Arrays.copyOfRange(variants, 0, size);
      float[] one = Arrays.copyOfRange(variants, size, 2 * size);
      assertThat(a.variant()[i] == 0 ? zero : one).isEqualTo(sample(a, i));
      // Every part has different palettes in the two variants, so every filled voxel differs.
      float[] occ = a.shapes().occupancy(i);
      for (int k = 0; k < v; k++) {
        double difference = 0;
        for (int c = 0; c < 3; c++) {
          difference = Math.max(difference, Math.abs(zero[c * v + k] - one[c * v + k]));
        }
        assertThat(difference > 0.1).as("sample %d voxel %d", i, k).isEqualTo(occ[k] > 0);
      }
    }
  }

  @Test
  void sameSeedGivesSameColoursAndSamplesDoNotDependOnCount() {
    AppearanceBatch a = BuiltinAppearance.generate(16, 40, 8, Split.HELD_OUT);
    AppearanceBatch b = BuiltinAppearance.generate(16, 40, 8, Split.HELD_OUT);
    AppearanceBatch prefix = BuiltinAppearance.generate(16, 24, 8, Split.HELD_OUT);
    assertThat(a.colours()).isEqualTo(b.colours());
    assertThat(a.variant()).isEqualTo(b.variant());
    assertThat(Arrays.copyOf(a.colours(), prefix.colours().length)).isEqualTo(prefix.colours());
    assertThat(Arrays.copyOf(a.variant(), 24)).isEqualTo(prefix.variant());
    assertThat(BuiltinAppearance.generate(16, 40, 9, Split.HELD_OUT).variant())
        .isNotEqualTo(a.variant());
  }

  @Test
  void errorIsZeroForEitherVariantPositiveForTheirBlendAndIgnoresEmptyVoxels() {
    AppearanceBatch a = BuiltinAppearance.generate(16, 16, 12, Split.TRAIN);
    int size = a.sampleSize();
    int v = a.shapes().voxels();
    float[] blends = new float[a.colours().length];
    for (int i = 0; i < a.count(); i++) {
      float[] variants = a.variants(i);
      float[] zero = Arrays.copyOfRange(variants, 0, size);
      float[] one = Arrays.copyOfRange(variants, size, 2 * size);
      assertThat(AppearanceError.of(a, i, zero)).isZero();
      assertThat(AppearanceError.of(a, i, one)).isZero();
      float[] blend = new float[size];
      for (int k = 0; k < size; k++) {
        blend[k] = (zero[k] + one[k]) / 2;
      }
      assertThat(AppearanceError.of(a, i, blend)).isGreaterThan(0.01);
      System.arraycopy(blend, 0, blends, i * size, size);
      // Anything on empty voxels is ignored.
      float[] occ = a.shapes().occupancy(i);
      for (int k = 0; k < size; k++) {
        if (occ[k % v] == 0f) {
          zero[k] = 0.9f;
        }
      }
      assertThat(AppearanceError.of(a, i, zero)).isZero();
    }
    assertThat(AppearanceError.mean(a, a.colours())).isZero();
    assertThat(AppearanceError.mean(a, blends)).isGreaterThan(0.01);
    assertThatThrownBy(() -> AppearanceError.of(a, 0, new float[size - 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected " + size);
  }

  private interface VoxelTest {
    boolean test(int x, int y, int z);
  }

  private static float[] sample(AppearanceBatch a, int i) {
    return Arrays.copyOfRange(a.colours(), i * a.sampleSize(), (i + 1) * a.sampleSize());
  }

  /** Lowest and highest y of sample i's filled voxels. */
  private static int[] occupiedYRange(AppearanceBatch a, int i) {
    int r = a.resolution();
    float[] occ = a.shapes().occupancy(i);
    int[] range = {r, -1};
    for (int k = 0; k < occ.length; k++) {
      if (occ[k] > 0) {
        int y = (k / r) % r;
        range[0] = Math.min(range[0], y);
        range[1] = Math.max(range[1], y);
      }
    }
    return range;
  }

  /** Mean RGB in [0, 1] over sample i's filled voxels that pass {@code where}. */
  private static double[] meanColour(AppearanceBatch a, int i, VoxelTest where) {
    int r = a.resolution();
    int v = a.shapes().voxels();
    float[] occ = a.shapes().occupancy(i);
    float[] rgb = sample(a, i);
    double[] mean = new double[3];
    int n = 0;
    for (int k = 0; k < v; k++) {
      if (occ[k] > 0 && where.test(k / (r * r), (k / r) % r, k % r)) {
        for (int c = 0; c < 3; c++) {
          mean[c] += (rgb[c * v + k] + 1) / 2;
        }
        n++;
      }
    }
    assertThat(n).as("voxels selected in sample %d", i).isPositive();
    for (int c = 0; c < 3; c++) {
      mean[c] /= n;
    }
    return mean;
  }

  private static double brightness(double[] rgb) {
    return rgb[0] + rgb[1] + rgb[2];
  }

  private static double[] chroma(double[] rgb) {
    double s = brightness(rgb);
    return new double[] {rgb[0] / s, rgb[1] / s, rgb[2] / s};
  }

  private static double l1(double[] a, double[] b) {
    double d = 0;
    for (int c = 0; c < a.length; c++) {
      d += Math.abs(a[c] - b[c]);
    }
    return d;
  }
}
