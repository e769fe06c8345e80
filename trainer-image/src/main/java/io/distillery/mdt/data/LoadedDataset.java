package io.distillery.mdt.data;

import java.util.List;

/**
 * Samples of one split together with the names of their classes (label i is classNames[i]).
 *
 * @param batch the samples the stage generates: occupancy grids (the structure stage) or features
 *     such as colours on structures (the appearance stage), zero off the structure
 * @param structure for the appearance stage, sample i's occupancy grid (+1 filled, -1 empty), in
 *     the order of {@code batch}; null for the structure stage
 */
public record LoadedDataset(VoxelBatch batch, List<String> classNames, VoxelBatch structure) {
  public LoadedDataset {
    classNames = List.copyOf(classNames);
    if (structure != null
        && (structure.count() != batch.count()
            || structure.resolution() != batch.resolution()
            || structure.channels() != 1)) {
      throw new IllegalArgumentException(
          "structures "
              + structure.shape()
              + " do not match the samples "
              + batch.shape()
              + " (one single-channel grid per sample, same resolution)");
    }
  }

  /** Samples of the structure stage. */
  public LoadedDataset(VoxelBatch batch, List<String> classNames) {
    this(batch, classNames, null);
  }

  public int numClasses() {
    return classNames.size();
  }
}
