package io.distillery.mdt.render;

/**
 * The surface of an occupancy grid as quads: one per face between a filled voxel and an empty one
 * (or the grid border), with shared corner vertices. Coordinates are voxel units, grid layout
 * {@code (x * R + y) * R + z}, y up; quads wind counter-clockwise seen from outside.
 */
public record VoxelMesh(float[] vertices, int[] quads) {

  public int vertexCount() {
    return vertices.length / 3;
  }

  public int quadCount() {
    return quads.length / 4;
  }

  /** Builds the surface of {@code occupancy} (value > 0.5 is filled, R^3 values). */
  public static VoxelMesh of(float[] occupancy, int r) {
    QuadBuilder builder = new QuadBuilder();
    forEachFace(
        occupancy,
        r,
        (voxel, corners) -> {
          for (int c = 0; c < 12; c += 3) {
            int key = (corners[c] * (r + 1) + corners[c + 1]) * (r + 1) + corners[c + 2];
            builder.corner(key, corners, c, 0);
          }
        });
    return new VoxelMesh(builder.vertices(), builder.quads());
  }

  /** Receives one surface face: its filled voxel's grid index and its 4 corners (x, y, z each). */
  interface FaceVisitor {
    void face(int voxel, int[] corners);
  }

  /**
   * Visits every face between a filled voxel and an empty one (or the border), voxels in grid
   * order, each voxel's faces in a fixed order; corners wind counter-clockwise from outside.
   */
  static void forEachFace(float[] occupancy, int r, FaceVisitor visitor) {
    if (occupancy.length != r * r * r) {
      throw new IllegalArgumentException(
          "occupancy has " + occupancy.length + " values, not " + r + "^3");
    }
    int[] corners = new int[12];
    for (int x = 0; x < r; x++) {
      for (int y = 0; y < r; y++) {
        for (int z = 0; z < r; z++) {
          if (!filled(occupancy, r, x, y, z)) {
            continue;
          }
          for (int[] face : FACES) {
            if (filled(occupancy, r, x + face[0], y + face[1], z + face[2])) {
              continue;
            }
            for (int c = 0; c < 4; c++) {
              corners[3 * c] = x + face[3 + 3 * c];
              corners[3 * c + 1] = y + face[4 + 3 * c];
              corners[3 * c + 2] = z + face[5 + 3 * c];
            }
            visitor.face((x * r + y) * r + z, corners);
          }
        }
      }
    }
  }

  private static boolean filled(float[] occ, int r, int x, int y, int z) {
    return x >= 0 && y >= 0 && z >= 0 && x < r && y < r && z < r && occ[(x * r + y) * r + z] > 0.5f;
  }

  /** Neighbour offset, then the 4 corners (offsets from the voxel's min corner), CCW from out. */
  private static final int[][] FACES = {
    {1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1},
    {-1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0},
    {0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0},
    {0, -1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1},
    {0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1},
    {0, 0, -1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0},
  };
}
