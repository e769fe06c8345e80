package io.distillery.mdt.model;

import io.distillery.config.TrainerConfig.ModelSpec;

/** Tiny architectures that run in milliseconds on a CPU. */
public final class TinySpecs {
  private TinySpecs() {}

  /** Resolution 8, patch 4 (8 tokens), width 24, 2 blocks, 2 heads, 3 classes. */
  public static ModelSpec tiny() {
    ModelSpec s = new ModelSpec();
    s.resolution = 8;
    s.patchSize = 4;
    s.width = 24;
    s.depth = 2;
    s.heads = 2;
    s.mlpRatio = 2;
    s.numClasses = 3;
    s.channels = 1;
    return s;
  }

  /** {@link #tiny()} with a 4-channel convolutional stem and head around the transformer. */
  public static ModelSpec tinyWithConv() {
    ModelSpec s = tiny();
    s.convChannels = 4;
    return s;
  }
}
