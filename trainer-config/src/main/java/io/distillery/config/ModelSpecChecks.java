package io.distillery.config;

import java.util.List;

/** Shape constraints of the flow transformers (dense for the structure, sparse for appearance). */
final class ModelSpecChecks {
  private ModelSpecChecks() {}

  static void addProblems(TrainerConfig.Stage stage, TrainerConfig.ModelSpec m, List<String> p) {
    if (stage == TrainerConfig.Stage.APPEARANCE && m.convChannels != 0) {
      p.add(
          "model.convChannels: the appearance stage's sparse transformer has no convolutional stem");
    }
    addProblems(m, p);
  }

  static void addProblems(TrainerConfig.ModelSpec m, List<String> p) {
    if (m.resolution < 1) p.add("model.resolution: must be positive");
    if (m.channels < 1) p.add("model.channels: must be positive");
    if (m.patchSize < 1 || m.resolution % m.patchSize != 0) {
      p.add("model.patchSize: " + m.patchSize + " must divide model.resolution " + m.resolution);
    }
    if (m.width < 1 || m.heads < 1 || m.width % m.heads != 0) {
      p.add("model.width: " + m.width + " must be a positive multiple of model.heads " + m.heads);
    }
    if (m.depth < 1) p.add("model.depth: must be positive");
    if (m.mlpRatio <= 0) p.add("model.mlpRatio: must be positive");
    if (m.numClasses < 1) p.add("model.numClasses: must be positive");
    if (m.convChannels < 0) p.add("model.convChannels: must be 0 (none) or positive");
  }
}
