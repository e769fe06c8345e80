package io.distillery.mdt.render;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
    if (occupancy.length != r * r * r) {
      throw new IllegalArgumentException(
          "occupancy has " + occupancy.length + " values, not " + r + "^3");
    }
    Map<Integer, Integer> index = new HashMap<>();
    float[] verts = new float[64];
    int[] quads = new int[64];
    int nv = 0;
    int nq = 0;
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
            if (nq + 4 > quads.length) {
              quads = Arrays.copyOf(quads, quads.length * 2);
            }
            for (int c = 0; c < 4; c++) {
              int cx = x + face[3 + 3 * c];
              int cy = y + face[4 + 3 * c];
              int cz = z + face[5 + 3 * c];
              int key = (cx * (r + 1) + cy) * (r + 1) + cz;
              Integer id = index.get(key);
              if (id == null) {
                id = nv;
                index.put(key, id);
                if (3 * nv + 3 > verts.length) {
                  verts = Arrays.copyOf(verts, verts.length * 2);
                }
                verts[3 * nv] = cx;
                verts[3 * nv + 1] = cy;
                verts[3 * nv + 2] = cz;
                nv++;
              }
              quads[nq++] = id;
            }
          }
        }
      }
    }
    return new VoxelMesh(Arrays.copyOf(verts, 3 * nv), Arrays.copyOf(quads, nq));
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
