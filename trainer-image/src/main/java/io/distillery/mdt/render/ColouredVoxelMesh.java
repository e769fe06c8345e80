package io.distillery.mdt.render;

/**
 * The surface of an occupancy grid whose faces take the colour of the filled voxel they belong to:
 * the quads of {@link VoxelMesh}, in the same order, with corner vertices shared only among faces
 * of the same colour. {@code colours} holds 3 bytes (R, G, B, unsigned, sRGB) per vertex.
 */
public record ColouredVoxelMesh(float[] vertices, int[] quads, byte[] colours) {

  public int vertexCount() {
    return vertices.length / 3;
  }

  public int quadCount() {
    return quads.length / 4;
  }

  /** The colour of {@code vertex} as 0xRRGGBB. */
  public int rgb(int vertex) {
    return (colours[3 * vertex] & 0xFF) << 16
        | (colours[3 * vertex + 1] & 0xFF) << 8
        | (colours[3 * vertex + 2] & 0xFF);
  }

  /** The colour of quad {@code quad} (that of its corners) as 0xRRGGBB. */
  public int quadRgb(int quad) {
    return rgb(quads[4 * quad]);
  }

  /** The geometry alone. */
  public VoxelMesh shape() {
    return new VoxelMesh(vertices, quads);
  }

  /**
   * Builds the coloured surface of {@code occupancy} (R^3 values, value > 0.5 filled) with {@code
   * colours} (3 * R^3 values in [-1, 1], layout (channel, x, y, z)).
   */
  public static ColouredVoxelMesh of(float[] occupancy, float[] colours, int r) {
    VoxelColours.check(colours, r);
    QuadBuilder builder = new QuadBuilder();
    VoxelMesh.forEachFace(
        occupancy,
        r,
        (voxel, corners) -> {
          int colour = VoxelColours.rgb(colours, r, voxel);
          for (int c = 0; c < 12; c += 3) {
            long at = ((long) corners[c] * (r + 1) + corners[c + 1]) * (r + 1) + corners[c + 2];
            builder.corner(at << 24 | colour, corners, c, colour);
          }
        });
    int[] tags = builder.tags();
    byte[] rgb = new byte[3 * tags.length];
    for (int v = 0; v < tags.length; v++) {
      rgb[3 * v] = (byte) (tags[v] >> 16);
      rgb[3 * v + 1] = (byte) (tags[v] >> 8);
      rgb[3 * v + 2] = (byte) tags[v];
    }
    return new ColouredVoxelMesh(builder.vertices(), builder.quads(), rgb);
  }
}
