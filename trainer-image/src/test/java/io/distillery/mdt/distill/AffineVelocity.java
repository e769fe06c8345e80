package io.distillery.mdt.distill;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code v(x, t, c) = a x + b}: two scalar weights, so every gradient can be written down by hand.
 * Ignores t and c (CFG therefore returns the plain velocity) and records the times it is called at.
 */
final class AffineVelocity implements VelocityModel {
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
