package io.distillery.mdt.serve;

/**
 * Generated samples of one request as occupancy grids: voxel {@code (x, y, z)} is filled where
 * channel 0 is above 0 (the data encodes empty as -1 and filled as +1). Index {@code (x * R + y) *
 * R + z}, y up, as the built-in shapes and the renderers use. {@code colours}: for a pipeline, per
 * sample the {@code 3 * R^3} RGB values in [-1, 1] that follow channel 0; null otherwise.
 */
public record VoxelSamples(
    GenerationRequest request, boolean[][] occupied, float[][] colours, int resolution) {

  static VoxelSamples of(GenerationRequest request, float[][] samples, int resolution) {
    return of(request, samples, resolution, false);
  }

  static VoxelSamples of(
      GenerationRequest request, float[][] samples, int resolution, boolean coloured) {
    int voxels = resolution * resolution * resolution;
    boolean[][] occ = new boolean[samples.length][voxels];
    float[][] rgb = coloured ? new float[samples.length][] : null;
    for (int i = 0; i < samples.length; i++) {
      for (int v = 0; v < voxels; v++) {
        occ[i][v] = samples[i][v] > 0;
      }
      if (coloured) {
        rgb[i] = java.util.Arrays.copyOfRange(samples[i], voxels, 4 * voxels);
      }
    }
    return new VoxelSamples(request, occ, rgb, resolution);
  }

  public boolean coloured() {
    return colours != null;
  }

  public int count() {
    return occupied.length;
  }

  public boolean filled(int sample, int x, int y, int z) {
    return occupied[sample][(x * resolution + y) * resolution + z];
  }

  /** Filled voxels of one sample. */
  public int filledCount(int sample) {
    int n = 0;
    for (boolean b : occupied[sample]) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  /** One sample as 1 (filled) / 0 (empty), the renderers' convention. */
  float[] occupancy01(int sample) {
    boolean[] o = occupied[sample];
    float[] f = new float[o.length];
    for (int i = 0; i < o.length; i++) {
      f[i] = o[i] ? 1f : 0f;
    }
    return f;
  }
}
