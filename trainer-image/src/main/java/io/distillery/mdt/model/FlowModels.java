package io.distillery.mdt.model;

import ai.djl.Device;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.config.TrainerConfig.Stage;

/**
 * The built-in network of each stage (docs/algorithm.md section 9): the dense {@link
 * FlowTransformer} for the structure, the {@link SparseFlowTransformer} for appearance on it.
 */
public final class FlowModels {
  private FlowModels() {}

  /** A freshly initialised network (deterministic in {@code seed}). */
  public static VelocityModel create(Stage stage, ModelSpec spec, long seed, Device device) {
    return stage == Stage.APPEARANCE
        ? SparseFlowTransformer.create(spec, seed, device)
        : FlowTransformer.create(spec, seed, device);
  }

  /** A network over existing weights; takes ownership of them. */
  public static VelocityModel withWeights(Stage stage, ModelSpec spec, Weights weights) {
    return stage == Stage.APPEARANCE
        ? SparseFlowTransformer.withWeights(spec, weights)
        : FlowTransformer.withWeights(spec, weights);
  }

  /** One line naming the architecture, for messages and run fingerprints. */
  public static String describe(Stage stage, ModelSpec spec) {
    return stage == Stage.APPEARANCE
        ? SparseFlowTransformer.describe(spec)
        : FlowTransformer.describe(spec);
  }
}
