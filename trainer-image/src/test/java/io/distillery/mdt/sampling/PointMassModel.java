package io.distillery.mdt.sampling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact marginal velocity when the data of class c is the single point {@code c + 1} in every
 * voxel (and the null class's is 0): {@code v = (1 - s) (x - (1 - t) x*) / (s + (1 - s) t) - x*}.
 * Records the times it is called with.
 */
final class PointMassModel implements VelocityModel {
  static final double S = FlowMatching.SIGMA_MIN;
  final List<Float> calledAt = new ArrayList<>();
  private final int numClasses;

  PointMassModel(int numClasses) {
    this.numClasses = numClasses;
  }

  static float target(long cls, int numClasses) {
    return cls == numClasses ? 0f : cls + 1f;
  }

  @Override
  public NDArray velocity(NDArray x, NDArray tTimes1000, NDArray cond, boolean training) {
    float[] t = tTimes1000.div(1000).toFloatArray();
    long[] c = cond.toLongArray();
    for (float v : t) {
      calledAt.add(v);
    }
    float[] xs = x.toFloatArray();
    int per = (int) (x.size() / c.length);
    float[] out = new float[xs.length];
    for (int i = 0; i < c.length; i++) {
      double star = target(c[i], numClasses);
      double noiseScale = S + (1 - S) * t[i];
      for (int j = 0; j < per; j++) {
        int k = i * per + j;
        out[k] = (float) ((1 - S) * (xs[k] - (1 - t[i]) * star) / noiseScale - star);
      }
    }
    return x.getManager().create(out, x.getShape());
  }

  @Override
  public Weights weights() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public Shape sampleShape() {
    return new Shape(1, 2, 2, 2);
  }

  @Override
  public Device device() {
    return Device.cpu();
  }

  @Override
  public void close() {}
}
