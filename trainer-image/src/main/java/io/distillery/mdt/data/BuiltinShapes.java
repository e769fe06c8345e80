package io.distillery.mdt.data;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The built-in class-conditional dataset: voxelised primitive shapes and furniture-like assemblies,
 * deterministic by seed.
 *
 * <p>Every sample gets its own random stream derived from (seed, split, index), so a sample does
 * not depend on how many others are generated and the held-out split comes from a stream the
 * training split never draws from. Each shape is defined inside the unit ball of its local frame (y
 * up), given a random size, proportions, orientation (a full turn about the vertical axis plus
 * tilts of up to 20 degrees about the two horizontal axes) and position, and voxelised at voxel
 * centres. Since the rotated shape stays inside a ball of radius below one grid half-width, it is
 * never cut by the grid border.
 *
 * <p>Every filled voxel also belongs to a part of its shape ({@link #PART_NAMES}) and has a height
 * in the shape's local frame; {@link BuiltinAppearance} colours voxels by them. Neither draws from
 * the random streams, so the grids do not depend on them.
 *
 * <p>Grid layout: index {@code (x * R + y) * R + z}; the second spatial axis (H) points up.
 */
public final class BuiltinShapes {

  /** Class names in label order. */
  public static final List<String> CLASS_NAMES =
      List.of("sphere", "box", "torus", "cylinder", "cone", "pyramid", "chair", "table");

  /** Part names of each class, in {@link #CLASS_NAMES} order; a voxel's part indexes its list. */
  public static final List<List<String>> PART_NAMES =
      List.of(
          List.of("body"),
          List.of("sides", "top"),
          List.of("inner", "outer"),
          List.of("side", "caps"),
          List.of("base", "tip"),
          List.of("x faces", "z faces"),
          List.of("seat", "back", "legs"),
          List.of("top", "legs"));

  /** The two disjoint sample streams. */
  public enum Split {
    TRAIN(0x5EED_7A11_0000_0001L),
    HELD_OUT(0x0D15_10E7_0000_0002L);

    private final long salt;

    Split(long salt) {
      this.salt = salt;
    }
  }

  private static final double MAX_TILT = Math.toRadians(20);
  private static final int MIN_VOXELS = 12;

  /** Part of an empty voxel. */
  static final byte EMPTY = -1;

  private BuiltinShapes() {}

  /**
   * Generates {@code count} occupancy grids (-1 empty, +1 filled) of the given resolution, with
   * labels balanced across {@link #CLASS_NAMES} (within one of each other).
   */
  public static VoxelBatch generate(int resolution, int count, long seed, Split split) {
    checkArguments(resolution, count);
    int v = resolution * resolution * resolution;
    float[] data = new float[count * v];
    int[] labels = new int[count];
    IntStream.range(0, count)
        .parallel()
        .forEach(
            i -> {
              PartGrid grid = sample(resolution, seed, split, i);
              labels[i] = grid.label();
              for (int k = 0; k < v; k++) {
                data[i * v + k] = grid.part()[k] != EMPTY ? 1f : -1f;
              }
            });
    return new VoxelBatch(data, labels, count, 1, resolution);
  }

  static void checkArguments(int resolution, int count) {
    if (resolution < 8 || resolution > 128) {
      throw new IllegalArgumentException(
          "built-in shapes need a resolution between 8 and 128, got " + resolution);
    }
    if (count < 0) {
      throw new IllegalArgumentException("sample count must be >= 0, got " + count);
    }
  }

  /**
   * Sample {@code i} of a split with, per voxel (grid layout), its part (an index into {@link
   * #PART_NAMES} of its class; {@link #EMPTY} off the shape) and its height in the shape's local
   * frame, 0 at the bottom of the local bounds and 1 at the top (0 off the shape).
   */
  record PartGrid(int label, byte[] part, float[] height) {}

  static PartGrid sample(int resolution, long seed, Split split, int i) {
    int label = labelOf(seed, split, i);
    SplittableRandom rng = new SplittableRandom(streamSeed(seed, split, 2L * i + 1));
    return voxelise(label, resolution, rng);
  }

  /**
   * A stream for drawing anything else about sample {@code i} (its appearance): streams of the
   * shapes use odd indices and the label blocks negative ones, so drawing from this one leaves
   * every grid as it is.
   */
  static SplittableRandom extraStream(long seed, Split split, int i) {
    return new SplittableRandom(streamSeed(seed, split, 2L * i));
  }

  /** Label of sample {@code i}: each block of K consecutive samples is a permutation of K. */
  static int labelOf(long seed, Split split, int i) {
    int k = CLASS_NAMES.size();
    int block = i / k;
    SplittableRandom rng = new SplittableRandom(streamSeed(seed, split, -2L * block - 2));
    int[] perm = IntStream.range(0, k).toArray();
    for (int j = k - 1; j > 0; j--) {
      int r = rng.nextInt(j + 1);
      int t = perm[j];
      perm[j] = perm[r];
      perm[r] = t;
    }
    return perm[i % k];
  }

  private static long streamSeed(long seed, Split split, long index) {
    return mix(mix(seed ^ split.salt) + index * 0x9E37_79B9_7F4A_7C15L);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
    return z ^ (z >>> 31);
  }

  /** One shape of class {@code label}, placed at random inside the grid. */
  private static PartGrid voxelise(int label, int r, SplittableRandom rng) {
    while (true) {
      Shape shape = shapeOf(label, rng);
      double[] rot = rotation(rng);
      // Largest scale whose rotated bounds fit inside the grid with half a voxel to spare for the
      // jitter below; then a random size below it.
      double reach = 0;
      for (int row = 0; row < 3; row++) {
        double extent =
            shape.round
                ? Math.hypot(rot[row], rot[6 + row]) * shape.ex + Math.abs(rot[3 + row]) * shape.ey
                : Math.abs(rot[row]) * shape.ex
                    + Math.abs(rot[3 + row]) * shape.ey
                    + Math.abs(rot[6 + row]) * shape.ez;
        reach = Math.max(reach, extent);
      }
      double scale = (1 - 1.0 / r) / reach * uniform(rng, 0.65, 1.0);
      // Sub-voxel jitter keeps shapes of the same size from snapping to identical grids.
      double half = 1.0 / r;
      double ox = uniform(rng, -half, half);
      double oy = uniform(rng, -half, half);
      double oz = uniform(rng, -half, half);
      byte[] part = new byte[r * r * r];
      Arrays.fill(part, EMPTY);
      float[] height = new float[r * r * r];
      int[] lo = {r, r, r};
      int[] hi = {-1, -1, -1};
      int filled = 0;
      for (int x = 0; x < r; x++) {
        double ux = (x + 0.5) * 2.0 / r - 1.0 - ox;
        for (int y = 0; y < r; y++) {
          double uy = (y + 0.5) * 2.0 / r - 1.0 - oy;
          for (int z = 0; z < r; z++) {
            double uz = (z + 0.5) * 2.0 / r - 1.0 - oz;
            // Local coordinates: q = R^T u / scale.
            double qx = (rot[0] * ux + rot[1] * uy + rot[2] * uz) / scale;
            double qy = (rot[3] * ux + rot[4] * uy + rot[5] * uz) / scale;
            double qz = (rot[6] * ux + rot[7] * uy + rot[8] * uz) / scale;
            if (shape.solid.contains(qx, qy, qz)) {
              int k = (x * r + y) * r + z;
              part[k] = (byte) shape.parts.part(qx, qy, qz);
              height[k] = (float) Math.min(1, Math.max(0, (qy + shape.ey) / (2 * shape.ey)));
              filled++;
              lo[0] = Math.min(lo[0], x);
              lo[1] = Math.min(lo[1], y);
              lo[2] = Math.min(lo[2], z);
              hi[0] = Math.max(hi[0], x);
              hi[1] = Math.max(hi[1], y);
              hi[2] = Math.max(hi[2], z);
            }
          }
        }
      }
      if (filled < MIN_VOXELS) {
        continue;
      }
      int[] shift = new int[3];
      for (int a = 0; a < 3; a++) {
        shift[a] = -lo[a] + rng.nextInt(r - (hi[a] - lo[a]));
      }
      return shifted(new PartGrid(label, part, height), r, shift);
    }
  }

  private static PartGrid shifted(PartGrid grid, int r, int[] s) {
    byte[] part = new byte[grid.part.length];
    Arrays.fill(part, EMPTY);
    float[] height = new float[part.length];
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < r; y++) {
        for (int z = 0; z < r; z++) {
          int from = (x * r + y) * r + z;
          if (grid.part[from] != EMPTY) {
            int to = ((x + s[0]) * r + y + s[1]) * r + z + s[2];
            part[to] = grid.part[from];
            height[to] = grid.height[from];
          }
        }
      }
    }
    return new PartGrid(grid.label, part, height);
  }

  /** Yaw (full turn) about y, then tilts about x and z; column-major 3x3. */
  private static double[] rotation(SplittableRandom rng) {
    double yaw = uniform(rng, 0, 2 * Math.PI);
    double tx = uniform(rng, -MAX_TILT, MAX_TILT);
    double tz = uniform(rng, -MAX_TILT, MAX_TILT);
    double[] ry = {Math.cos(yaw), 0, -Math.sin(yaw), 0, 1, 0, Math.sin(yaw), 0, Math.cos(yaw)};
    double[] rx = {1, 0, 0, 0, Math.cos(tx), Math.sin(tx), 0, -Math.sin(tx), Math.cos(tx)};
    double[] rz = {Math.cos(tz), Math.sin(tz), 0, -Math.sin(tz), Math.cos(tz), 0, 0, 0, 1};
    return mul(rz, mul(rx, ry));
  }

  private static double[] mul(double[] a, double[] b) {
    double[] c = new double[9];
    for (int col = 0; col < 3; col++) {
      for (int row = 0; row < 3; row++) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
          s += a[k * 3 + row] * b[col * 3 + k];
        }
        c[col * 3 + row] = s;
      }
    }
    return c;
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** An inside test in local coordinates (y up). */
  private interface Solid {
    boolean contains(double x, double y, double z);
  }

  /** The part (index into the class's {@link #PART_NAMES}) of a point inside the solid. */
  private interface Parts {
    int part(double x, double y, double z);
  }

  private static final Parts ONE_PART = (x, y, z) -> 0;

  /**
   * A solid, its parts and the half extents of its local bounding box; a round solid is symmetric
   * about y with radius ex, so turning it about y does not widen its bounds.
   */
  private record Shape(Solid solid, Parts parts, double ex, double ey, double ez, boolean round) {
    Shape(Solid solid, Parts parts, double ex, double ey, double ez) {
      this(solid, parts, ex, ey, ez, false);
    }
  }

  private static Shape shapeOf(int label, SplittableRandom rng) {
    switch (CLASS_NAMES.get(label)) {
      case "sphere":
        {
          // Near-round ellipsoid: elongated ones would look like capsules or cylinders.
          double a = uniform(rng, 0.8, 1.0);
          double b = uniform(rng, 0.8, 1.0);
          double c = uniform(rng, 0.8, 1.0);
          return new Shape(
              (x, y, z) -> sq(x / a) + sq(y / b) + sq(z / c) <= 1,
              ONE_PART,
              Math.max(a, c),
              b,
              c,
              true);
        }
      case "box":
        {
          double a = uniform(rng, 0.5, 1);
          double b = uniform(rng, 0.5, 1);
          double c = uniform(rng, 0.5, 1);
          // The top fifth of the height is the lid.
          return new Shape(
              (x, y, z) -> Math.abs(x) <= a && Math.abs(y) <= b && Math.abs(z) <= c,
              (x, y, z) -> y >= 0.6 * b ? 1 : 0,
              a,
              b,
              c);
        }
      case "torus":
        {
          double minor = uniform(rng, 0.28, 0.4);
          double major = 1 - minor;
          return new Shape(
              (x, y, z) -> sq(Math.sqrt(x * x + z * z) - major) + y * y <= minor * minor,
              (x, y, z) -> Math.sqrt(x * x + z * z) < major ? 0 : 1,
              1,
              minor,
              1,
              true);
        }
      case "cylinder":
        {
          double h = uniform(rng, 0.5, 1.5);
          // The caps are the top and bottom eighths of the height.
          return new Shape(
              (x, y, z) -> x * x + z * z <= 1 && Math.abs(y) <= h,
              (x, y, z) -> Math.abs(y) >= 0.75 * h ? 1 : 0,
              1,
              h,
              1,
              true);
        }
      case "cone":
        {
          double h = uniform(rng, 0.8, 1.6);
          // The base is the bottom quarter of the height.
          return new Shape(
              (x, y, z) -> Math.abs(y) <= h && Math.sqrt(x * x + z * z) <= (h - y) / (2 * h),
              (x, y, z) -> y <= -h / 2 ? 0 : 1,
              1,
              h,
              1,
              true);
        }
      case "pyramid":
        {
          double h = uniform(rng, 0.8, 1.6);
          // Opposite faces share a part: those facing x, those facing z.
          return new Shape(
              (x, y, z) ->
                  Math.abs(y) <= h && Math.max(Math.abs(x), Math.abs(z)) <= (h - y) / (2 * h),
              (x, y, z) -> Math.abs(x) >= Math.abs(z) ? 0 : 1,
              1,
              h,
              1);
        }
      case "chair":
        return furniture(
            rng, uniform(rng, 0.42, 0.55), uniform(rng, 0.6, 0.8), uniform(rng, 0.42, 0.55), true);
      case "table":
        return furniture(
            rng, uniform(rng, 0.6, 0.85), uniform(rng, 0.38, 0.55), uniform(rng, 0.45, 0.7), false);
      default:
        throw new IllegalStateException("no geometry for label " + label);
    }
  }

  /**
   * Four legs under a slab within half extents (w, h, d); a chair adds a backrest and has its seat
   * half-way up, a table has its top at full height.
   */
  private static Shape furniture(
      SplittableRandom rng, double w, double h, double d, boolean chair) {
    // Parts scale with the footprint so legs stay at least a voxel thick on wide tables.
    double size = Math.max(w, d) / 0.5;
    double leg = uniform(rng, 0.22, 0.28) * size;
    double slab = Math.min(uniform(rng, 0.2, 0.26) * size, 0.5 * h);
    double seatTop = chair ? -h + uniform(rng, 0.9, 1.1) * h : h;
    double seatBottom = seatTop - slab;
    Solid solid =
        (x, y, z) -> {
          if (Math.abs(x) > w || Math.abs(y) > h || Math.abs(z) > d) {
            return false;
          }
          boolean inLeg = Math.abs(x) >= w - leg && Math.abs(z) >= d - leg && y <= seatTop;
          boolean inSlab = y >= seatBottom && y <= seatTop;
          boolean inBack = chair && y >= seatTop && z <= -d + slab;
          return inLeg || inSlab || inBack;
        };
    // Parts in PART_NAMES order: a chair's seat, back, legs; a table's top, legs.
    Parts parts =
        (x, y, z) -> {
          if (y >= seatBottom && y <= seatTop) {
            return 0;
          }
          if (chair && y >= seatTop) {
            return 1;
          }
          return chair ? 2 : 1;
        };
    return new Shape(solid, parts, w, h, d);
  }

  private static double[] normalised(double... v) {
    double s = 0;
    for (double a : v) {
      s += a * a;
    }
    s = Math.sqrt(s);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / s;
    }
    return out;
  }

  private static double sq(double v) {
    return v * v;
  }
}
