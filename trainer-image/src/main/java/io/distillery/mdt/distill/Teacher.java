package io.distillery.mdt.distill;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Teachers;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.io.IOException;
import java.util.List;

/**
 * A loaded teacher and how to make a student from it: a student starts as an exact, trainable copy
 * of the teacher's weights (MDT-DIST.md section 2), while the teacher itself stays frozen.
 */
public final class Teacher implements AutoCloseable {
  private final FlowTransformer model;
  private final ModelCard card;
  private final String digest;
  private final String source;

  private Teacher(FlowTransformer model, ModelCard card, String digest, String source) {
    this.model = model;
    this.card = card;
    this.digest = digest;
    this.source = source;
    model.weights().requireGradients(false);
  }

  /**
   * Loads config {@code teacher} ({@link Teachers}); distillation needs the built-in transformer,
   * whose weights the student copies.
   */
  public static Teacher load(TrainerConfig cfg, Device device) throws IOException {
    if (!"djl".equals(cfg.teacher.format)) {
      throw new InvalidConfigException(
          "teacher.format '"
              + cfg.teacher.format
              + "': distilling TorchScript teachers is not supported yet (they load for sampling"
              + " and evaluation); export the teacher as a Distillery artifact (format djl)");
    }
    Artifact artifact =
        Teachers.SHIPPED.equals(cfg.teacher.uri)
            ? BundledArtifacts.open(Teachers.SHIPPED_NAME)
            : Artifact.open(Teachers.path(cfg.teacher.uri));
    ModelArtifacts.Loaded loaded = ModelArtifacts.load(artifact, device);
    return new Teacher(loaded.model(), loaded.card(), artifact.digest(), cfg.teacher.uri);
  }

  public VelocityModel model() {
    return model;
  }

  public ModelCard card() {
    return card;
  }

  public String digest() {
    return digest;
  }

  public String source() {
    return source;
  }

  public List<String> classNames() {
    return card.classNames();
  }

  /** The teacher's own sampler (steps, CFG, rescale) from its card. */
  public SamplerSettings sampler() {
    return card.sampler();
  }

  /** A new student initialised with a copy of the teacher's weights. */
  public FlowTransformer newStudent() {
    Weights copy = model.weights().copy();
    return FlowTransformer.withWeights(card.model(), copy);
  }

  @Override
  public void close() {
    model.close();
  }
}
