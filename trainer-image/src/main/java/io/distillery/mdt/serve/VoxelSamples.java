package io.distillery.mdt.serve;

/**
 * Generated samples of one request as occupancy grids: voxel {@code (d, h, w)} is filled where
 * channel 0 is above 0 (the data encodes empty as -1 and filled as +1). Index {@code (d * R + h) *
 * R + w}.
 */
public record VoxelSamples(GenerationRequest request, boolean[][] occupied, int resolution) {

  static VoxelSamples of(GenerationRequest request, float[][] samples, int resolution) {
    int voxels = resolution * resolution * resolution;
    boolean[][] occ = new boolean[samples.length][voxels];
    for (int i = 0; i < samples.length; i++) {
      for (int v = 0; v < voxels; v++) {
        occ[i][v] = samples[i][v] > 0;
      }
    }
    return new VoxelSamples(request, occ, resolution);
  }

  public int count() {
    return occupied.length;
  }

  public boolean filled(int sample, int d, int h, int w) {
    return occupied[sample][(d * resolution + h) * resolution + w];
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
}
