package io.distillery.mdt.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.distillery.mdt.data.BadInputException;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.model.NoGrad;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.sampling.SeededSampling;

/**
 * Features taken from the teacher itself ({@code builtin:teacher}): each sample is noised to the
 * small time {@link #T} with the noise of its index ({@link #NOISE_SEED} + i, the same for every
 * set, so sets are compared on equal terms) and passed through the teacher without a condition;
 * {@link VelocityModel#features} pools what the teacher computes. A teacher is a network trained on
 * the user's data, so its activations separate what matters in that data without any classifier; at
 * a small t they still describe the sample, not the noise.
 */
public final class TeacherFeatures implements FeatureExtractor {
  /** The flow time the samples are noised to. */
  public static final double T = 0.1;

  static final long NOISE_SEED = 0x5EED_FEA7L;
  private static final int CHUNK = 64;

  private final VelocityModel teacher;

  /** Borrows {@code teacher}; closing this leaves it open. */
  public TeacherFeatures(VelocityModel teacher) {
    this.teacher = teacher;
  }

  @Override
  public double[][] features(VoxelBatch batch) {
    Shape one = teacher.sampleShape();
    if (batch.channels() != one.get(0) || batch.resolution() != one.get(1)) {
      throw new BadInputException(
          "teacher features: samples are "
              + batch.channels()
              + " channel(s) at "
              + batch.resolution()
              + "^3, the teacher takes "
              + one.get(0)
              + " at "
              + one.get(1)
              + "^3");
    }
    int per = batch.sampleSize();
    double[][] out = new double[batch.count()][];
    try (NDManager nd = NDManager.newBaseManager(teacher.device());
        NoGrad ignored = NoGrad.enter()) {
      for (int from = 0; from < batch.count(); from += CHUNK) {
        int to = Math.min(batch.count(), from + CHUNK);
        try (NDManager scope = nd.newSubManager()) {
          float[] noise = new float[(to - from) * per];
          for (int i = from; i < to; i++) {
            System.arraycopy(
                SeededSampling.noise(NOISE_SEED + i, per), 0, noise, (i - from) * per, per);
          }
          NDArray x0 = batch.slice(from, to).toNDArray(scope);
          NDArray eps = scope.create(noise, x0.getShape());
          int n = to - from;
          float[] t = new float[n];
          long[] cond = new long[n];
          java.util.Arrays.fill(t, (float) T);
          java.util.Arrays.fill(cond, teacher.nullClass());
          NDArray xt = FlowMatching.diffuse(x0, eps, scope.create(t));
          NDArray f = teacher.features(xt, scope.create(t).mul(1000f), scope.create(cond));
          FeatureExtractor.putRows(f.toFloatArray(), out, from, to);
        }
      }
    }
    return out;
  }

  @Override
  public String describe() {
    return "teacher";
  }

  @Override
  public void close() {
    // the teacher belongs to the caller
  }
}
