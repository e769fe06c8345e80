package io.distillery.mdt.data;

import java.util.List;

/** Samples of one split together with the names of their classes (label i is classNames[i]). */
public record LoadedDataset(VoxelBatch batch, List<String> classNames) {
  public LoadedDataset {
    classNames = List.copyOf(classNames);
  }

  public int numClasses() {
    return classNames.size();
  }
}
