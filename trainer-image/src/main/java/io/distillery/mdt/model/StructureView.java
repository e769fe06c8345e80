package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;

/**
 * Base of a {@link StructureBound} model's view on one structure: everything but the velocity is
 * the model's own. Closing a view leaves the model (and its weights) alone.
 */
public abstract class StructureView implements VelocityModel {
  private final VelocityModel model;

  protected StructureView(VelocityModel model) {
    this.model = model;
  }

  @Override
  public Weights weights() {
    return model.weights();
  }

  @Override
  public int numClasses() {
    return model.numClasses();
  }

  @Override
  public Shape sampleShape() {
    return model.sampleShape();
  }

  @Override
  public Device device() {
    return model.device();
  }

  /** Frees what the view holds of its own (nothing, unless overridden). */
  @Override
  public void close() {}
}
