package io.distillery.mdt.distill;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.model.StructureBound;
import io.distillery.mdt.model.StructureView;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code v(x, t, c) = a x + b}: two scalar weights, so every gradient can be written down by hand.
 * Ignores t and c (CFG therefore returns the plain velocity) and records the times it is called at.
 * Bound to a structure it returns {@code (a x + b) occupancy}: 0 off the structure, as every
 * appearance model does.
 */
final class AffineVelocity implements VelocityModel, StructureBound {
  final Weights weights = Weights.create(Device.cpu());
  final List<Float> calledAt = new ArrayList<>();

  AffineVelocity(float a, float b) {
    NDManager m = weights.manager();
    weights.put("a", m.create(new float[] {a}));
    weights.put("b", m.create(new float[] {b}));
  }

  float a() {
    return weights.get("a").getFloat();
  }

  float b() {
    return weights.get("b").getFloat();
  }

  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    for (float t : tTimes1000.toFloatArray()) {
      calledAt.add(t / 1000);
    }
    return x.mul(weights.get("a")).add(weights.get("b"));
  }

  @Override
  public VelocityModel on(NDArray occupancy) {
    return new Bound(this, occupancy);
  }

  /** The model on a structure: its output times the (repeated) occupancy. */
  private static final class Bound extends StructureView {
    private final AffineVelocity model;
    private final NDArray occupancy;

    Bound(AffineVelocity model, NDArray occupancy) {
      super(model);
      this.model = model;
      this.occupancy = occupancy;
    }

    @Override
    public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
      long k = x.getShape().get(0) / occupancy.getShape().get(0);
      return model
          .velocity(x, tTimes1000, cond, training)
          .mul(occupancy.tile(new long[] {k, 1, 1, 1, 1}));
    }
  }

  @Override
  public Weights weights() {
    return weights;
  }

  @Override
  public int numClasses() {
    return 2;
  }

  @Override
  public Shape sampleShape() {
    return new Shape(1, 1, 1, 2);
  }

  @Override
  public Device device() {
    return Device.cpu();
  }

  @Override
  public void close() {
    weights.close();
  }
}
