package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distillery.mdt.flow.FlowMatching;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.train.Gradients;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The objectives on the appearance stage's samples: a ragged batch (two samples with 2 and 1 real
 * voxels of 3) whose padding holds garbage. Gradients written by hand for the affine networks of
 * {@link DistillationGradientTest}, with every mean over the 3 real voxels only; if a padded voxel
 * counted, or the means divided by all 6, the gradients would differ.
 */
class RaggedSupportGradientTest {
  static final double SMIN = FlowMatching.SIGMA_MIN;
  static final float A = 0.6f, B = 0.1f, P = 0.9f, Q = -0.2f;
  static final double DELTA = 0.05;
  // Two samples of three voxels; the last voxel of sample 0 and the last two of sample 1 are
  // padding, filled with values no real voxel has.
  static final float[] OCCUPIED = {1, 1, 0, 1, 0, 0};
  static final float[] X0 = {0.5f, -1.0f, 100f, 1.0f, -100f, 50f};
  static final float[] EPS = {0.3f, 1.2f, 9f, -0.7f, 9f, -9f};
  static final float[] EPS_F = {-0.9f, 0.1f, 7f, 0.8f, -7f, 7f};
  static final float[] T = {0.8f, 0.3f};
  static final int[] REAL = {0, 1, 3};

  @Test
  void vmMeanIsOverRealVoxelsOnly() {
    double ga = 0, gb = 0;
    for (int i : REAL) {
      double t = T[i / 3];
      double xt = diffuse(X0[i], EPS[i], t);
      double vT = P * xt + Q;
      double u = A * xt + B;
      double d = (u - (A * (xt - DELTA * vT) + B)) / DELTA;
      double residual = u - (vT - t * d);
      ga += 2 * residual * xt / REAL.length;
      gb += 2 * residual / REAL.length;
    }
    assertGradients(mdtGradients(1, 0), ga, gb);
  }

  @Test
  void vdMeanIsOverRealVoxelsOnly() {
    double ga = 0, gb = 0;
    for (int i : REAL) {
      double t = T[i / 3];
      double xF = EPS_F[i] - (A * EPS_F[i] + B);
      double xtF = diffuse(xF, EPS[i], t);
      double vTF = P * xtF + Q;
      double uPred = A * xtF + B;
      double d = (uPred - (A * (xtF - DELTA * vTF) + B)) / DELTA;
      double push = uPred - (vTF - t * d);
      ga += 2 * push * EPS_F[i] / REAL.length;
      gb += 2 * push / REAL.length;
    }
    assertGradients(mdtGradients(0, 1), ga, gb);
  }

  @Test
  void cmMeanIsOverRealVoxelsOnly() {
    double ga = 0, gb = 0;
    for (int i : REAL) {
      double t = T[i / 3];
      double xt = diffuse(X0[i], EPS[i], t);
      double xPrev = xt - DELTA * (P * xt + Q);
      double target = xPrev - (t - DELTA) * (A * xPrev + B);
      double pred = xt - t * (A * xt + B);
      ga += 2 * (pred - target) * (-t * xt) / REAL.length;
      gb += 2 * (pred - target) * (-t) / REAL.length;
    }
    float[] g =
        gradients(
            (m) ->
                CmObjective.compute(
                    student,
                    student,
                    teacher,
                    x(m, X0),
                    cond(m),
                    x(m, EPS),
                    m.create(T),
                    settings(1, 1),
                    SampleSupport.on(x(m, OCCUPIED))));
    assertGradients(g, ga, gb);
  }

  @Test
  void denseSupportOfTheSameBatchCountsThePadding() {
    // The control: without the structure the garbage enters the loss.
    float[] masked = mdtGradients(1, 0);
    float[] dense =
        gradients(
            (m) ->
                MdtObjective.compute(
                        student,
                        student,
                        teacher,
                        x(m, X0),
                        cond(m),
                        x(m, EPS),
                        x(m, EPS_F),
                        m.create(T),
                        settings(1, 0),
                        SampleSupport.dense())
                    .total());
    assertThat(Math.abs(dense[0] - masked[0])).isGreaterThan(1f);
  }

  private final AffineVelocity student = new AffineVelocity(A, B);
  private final AffineVelocity teacher = new AffineVelocity(P, Q);

  private float[] mdtGradients(double lambdaVM, double lambdaVD) {
    return gradients(
        (m) ->
            MdtObjective.compute(
                    student,
                    student,
                    teacher,
                    x(m, X0),
                    cond(m),
                    x(m, EPS),
                    x(m, EPS_F),
                    m.create(T),
                    settings(lambdaVM, lambdaVD),
                    SampleSupport.on(x(m, OCCUPIED)))
                .total());
  }

  /** {d loss / d a, d loss / d b}; the teacher gets none. */
  private float[] gradients(Function<NDManager, NDArray> loss) {
    try (NDManager m = NDManager.newBaseManager()) {
      student.weights().requireGradients(true);
      teacher.weights().requireGradients(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(loss.apply(m));
      }
      for (NDArray g : Gradients.of(teacher.weights(), m).values()) {
        assertThat(g.abs().sum().getFloat()).as("teacher gradient").isZero();
      }
      var g = Gradients.of(student.weights(), m);
      return new float[] {g.get("a").getFloat(), g.get("b").getFloat()};
    }
  }

  @AfterEach
  void close() {
    student.close();
    teacher.close();
  }

  private static void assertGradients(float[] actual, double ga, double gb) {
    assertThat(actual[0]).isCloseTo((float) ga, within(1e-4f));
    assertThat(actual[1]).isCloseTo((float) gb, within(1e-4f));
  }

  private static double diffuse(double x0, double eps, double t) {
    return (1 - t) * x0 + (SMIN + (1 - SMIN) * t) * eps;
  }

  private static ObjectiveSettings settings(double lambdaVM, double lambdaVD) {
    return new ObjectiveSettings(DELTA, 2.0, 5.0, lambdaVM, lambdaVD, false, false, 1.0, 1.0, 1);
  }

  private static NDArray x(NDManager m, float[] v) {
    return m.create(v, new Shape(2, 1, 1, 1, 3));
  }

  private static NDArray cond(NDManager m) {
    return m.create(new long[] {0, 1});
  }
}
