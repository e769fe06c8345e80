package io.distillery.mdt.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.mdt.data.AppearanceBatch;
import io.distillery.mdt.data.BuiltinAppearance;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.VoxelBatch;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OffPaletteError}: zero on the procedural colours, hand-checked values off them. */
class OffPaletteErrorTest {
  private static final int SPHERE = BuiltinShapes.CLASS_NAMES.indexOf("sphere");

  @Test
  void theGroundTruthIsOnThePaletteAndConstantGreyIsNot() {
    AppearanceBatch truth = BuiltinAppearance.generate(16, 24, 7, BuiltinShapes.Split.HELD_OUT);
    VoxelBatch shapes = truth.shapes();
    VoxelBatch colours =
        new VoxelBatch(
            truth.colours(), shapes.labels(), shapes.count(), BuiltinAppearance.CHANNELS, 16);
    double[] onPalette = OffPaletteError.perShape(shapes, colours);
    assertThat(onPalette).hasSize(24);
    for (double e : onPalette) {
      assertThat(e).isBetween(0.0, 1e-6);
    }
    Estimate truthEstimate = OffPaletteError.estimate(onPalette, 200, 1);
    assertThat(truthEstimate.mean()).isLessThan(1e-6);
    assertThat(truthEstimate.hi()).isLessThan(1e-6);

    VoxelBatch grey =
        new VoxelBatch(
            new float[truth.colours().length],
            shapes.labels(),
            shapes.count(),
            BuiltinAppearance.CHANNELS,
            16);
    Estimate greyEstimate =
        OffPaletteError.estimate(OffPaletteError.perShape(shapes, grey), 200, 1);
    assertThat(greyEstimate.mean()).isGreaterThan(0.01);
    assertThat(greyEstimate.lo()).isGreaterThan(0.01).isLessThanOrEqualTo(greyEstimate.mean());
  }

  @Test
  void voxelErrorsMatchHandComputedDistancesToTheShadingSegments() {
    // Sphere palettes: red (217, 64, 51) and blue (51, 115, 204), one part each.
    double[] red = {217 / 255.0, 64 / 255.0, 51 / 255.0};
    // Any shade in [0.6, 1] of a palette colour is on the palette.
    for (double shade : new double[] {0.6, 0.8, 1.0}) {
      double[] c = new double[3];
      for (int i = 0; i < 3; i++) c[i] = 2 * red[i] * shade - 1;
      assertThat(OffPaletteError.ofVoxel(SPHERE, c)).isCloseTo(0, within(1e-12));
    }
    // Black (-1, -1, -1) is darker than any shade: the nearest colour is red at shade 0.6, so
    // the error is mean((1.2 * red)^2) = (1.0212^2 + 0.3012^2 + 0.24^2) / 3 = 0.397036 (blue's
    // darkest gives 0.424).
    assertThat(OffPaletteError.ofVoxel(SPHERE, new double[] {-1, -1, -1}))
        .isCloseTo(0.3970362168, within(1e-9));
    // Grey (0, 0, 0): nearest on red's segment at s = (u . q) / (q . q) = 0.787, error 0.205575.
    assertThat(OffPaletteError.ofVoxel(SPHERE, new double[] {0, 0, 0}))
        .isCloseTo(0.2055754790, within(1e-9));
  }

  @Test
  void aShapeIsTheMeanOverItsOccupiedVoxelsAndAnEmptyShapeHasNone() {
    int r = 2;
    float[] occ = {
      1, 1, -1, -1, -1, -1, -1, -1, /* shape 2 empty: */ -1, -1, -1, -1, -1, -1, -1, -1
    };
    float[] rgb = new float[2 * 3 * 8];
    Arrays.fill(rgb, -1f); // black everywhere; voxel 1 of shape 1 gets grey
    for (int c = 0; c < 3; c++) rgb[c * 8 + 1] = 0f;
    double[] e =
        OffPaletteError.perShape(
            new VoxelBatch(occ, new int[] {SPHERE, SPHERE}, 2, 1, r),
            new VoxelBatch(rgb, new int[] {SPHERE, SPHERE}, 2, 3, r));
    assertThat(e[0]).isCloseTo((0.3970362168 + 0.2055754790) / 2, within(1e-9));
    assertThat(e[1]).isNaN();
    // The empty shape is left out of the mean.
    assertThat(OffPaletteError.estimate(e, 50, 3).mean()).isEqualTo(e[0]);
  }

  @Test
  void onlyTheBuiltInClassesInRgbHaveAPalette() {
    assertThat(OffPaletteError.notApplicable(BuiltinShapes.CLASS_NAMES, 3)).isNull();
    assertThat(OffPaletteError.notApplicable(List.of("a", "b", "c"), 3))
        .contains("[a, b, c]")
        .contains("built-in");
    assertThat(OffPaletteError.notApplicable(BuiltinShapes.CLASS_NAMES, 4)).contains("4 channels");
  }
}
