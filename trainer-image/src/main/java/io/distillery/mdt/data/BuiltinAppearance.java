package io.distillery.mdt.data;

import io.distillery.mdt.data.BuiltinShapes.PartGrid;
import io.distillery.mdt.data.BuiltinShapes.Split;
import java.util.stream.IntStream;

/**
 * Per-voxel colours for the built-in shapes, deterministic by seed: the appearance data and ground
 * truth of a second stage that colours a given structure.
 *
 * <p>A filled voxel's colour is its class's palette entry for the sample's variant and the voxel's
 * part ({@link BuiltinShapes#PART_NAMES}), shaded by the voxel's height in the shape's local frame
 * (factor {@value #DARKEST} at the bottom of the local bounds, 1 at the top). So the colour depends
 * on class, part and height, and on the variant: one of {@link #VARIANTS} palettes per class (say
 * natural versus painted), drawn per sample from a stream of its own, so the structures are those
 * {@link BuiltinShapes#generate} returns for the same arguments.
 */
public final class BuiltinAppearance {

  /** Colour channels: R, G, B. */
  public static final int CHANNELS = 3;

  /** Palettes per class. */
  public static final int VARIANTS = 2;

  /** Shading factor at the bottom of a shape; the top gets 1, heights in between linearly. */
  public static final double DARKEST = 0.6;

  /** RGB per class (label order), variant and part (PART_NAMES order). */
  private static final int[][][] PALETTES = {
    {{0xD94033}, {0x3373CC}}, // sphere: red / blue
    {{0xB3804D, 0xE6CC8C}, {0x4D9959, 0xD9D9D9}}, // box: cardboard, pale lid / green, grey lid
    {{0xE6B373, 0x73401F}, {0xF28CBF, 0x59338C}}, // torus: dough, brown / pink, purple
    {{0xBFBFC7, 0x595966}, {0xCC3340, 0xD9D9CC}}, // cylinder: steel, dark caps / red, white caps
    {{0xF2801A, 0xF2F2F2}, {0xD9B373, 0x8C4D33}}, // cone: orange, white tip / waffle, brown tip
    {{0xE6BF66, 0x4D7399}, {0x408CBF, 0xCC594D}}, // pyramid: gold, slate / blue, brick
    {{0xE6D199, 0xB35926, 0x404D59}, {0xD93333, 0x3359D9, 0xE6E6D9}}, // chair: seat, back, legs
    {{0xCC9959, 0x66401F}, {0xF2F2EB, 0x333338}}, // table: wood top, dark legs / white, black
  };

  private BuiltinAppearance() {}

  /** Parts in class {@code label}'s palettes (the same for every variant). */
  public static int parts(int label) {
    return PALETTES[label][0].length;
  }

  /**
   * Unshaded colour of {@code part} of class {@code label} in palette {@code variant}: R, G, B in
   * [0, 1]. A voxel of that part gets this times its shade ({@value #DARKEST} to 1), mapped to [-1,
   * 1] as {@code 2 * channel * shade - 1}.
   */
  public static double[] partColour(int label, int variant, int part) {
    double[] rgb = new double[CHANNELS];
    for (int c = 0; c < CHANNELS; c++) {
      rgb[c] = ((PALETTES[label][variant][part] >> (8 * (CHANNELS - 1 - c))) & 0xFF) / 255.0;
    }
    return rgb;
  }

  /**
   * Generates {@code count} coloured samples: the shapes {@link BuiltinShapes#generate} returns for
   * the same arguments, and their colours (N, {@value #CHANNELS}, R, R, R; see {@link
   * AppearanceBatch}).
   */
  public static AppearanceBatch generate(int resolution, int count, long seed, Split split) {
    BuiltinShapes.checkArguments(resolution, count);
    int v = resolution * resolution * resolution;
    if ((long) count * CHANNELS * v > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          count + " samples of " + CHANNELS + " x " + resolution + "^3 colours exceed one array");
    }
    float[] data = new float[count * v];
    int[] labels = new int[count];
    float[] colours = new float[count * CHANNELS * v];
    int[] variant = new int[count];
    IntStream.range(0, count)
        .parallel()
        .forEach(
            i -> {
              PartGrid grid = BuiltinShapes.sample(resolution, seed, split, i);
              labels[i] = grid.label();
              for (int k = 0; k < v; k++) {
                data[i * v + k] = grid.part()[k] != BuiltinShapes.EMPTY ? 1f : -1f;
              }
              variant[i] = BuiltinShapes.extraStream(seed, split, i).nextInt(VARIANTS);
              paint(grid, variant[i], colours, i * CHANNELS * v);
            });
    return new AppearanceBatch(
        new VoxelBatch(data, labels, count, 1, resolution), colours, variant, seed, split);
  }

  /** Sample {@code i} coloured with every variant: (variant, channel, x, y, z). */
  static float[] variants(int resolution, long seed, Split split, int i) {
    PartGrid grid = BuiltinShapes.sample(resolution, seed, split, i);
    int size = CHANNELS * resolution * resolution * resolution;
    float[] out = new float[VARIANTS * size];
    for (int variant = 0; variant < VARIANTS; variant++) {
      paint(grid, variant, out, variant * size);
    }
    return out;
  }

  /** Writes the grid's colours (channel, x, y, z) at {@code offset}; empty voxels stay 0. */
  private static void paint(PartGrid grid, int variant, float[] out, int offset) {
    int v = grid.part().length;
    for (int k = 0; k < v; k++) {
      int part = grid.part()[k];
      if (part == BuiltinShapes.EMPTY) {
        continue;
      }
      double shade = DARKEST + (1 - DARKEST) * grid.height()[k];
      double[] rgb = partColour(grid.label(), variant, part);
      for (int c = 0; c < CHANNELS; c++) {
        out[offset + c * v + k] = (float) (2 * rgb[c] * shade - 1);
      }
    }
  }
}
