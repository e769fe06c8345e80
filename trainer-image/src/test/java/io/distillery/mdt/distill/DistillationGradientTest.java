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
import io.distillery.mdt.sampling.EulerSampler;
import io.distillery.mdt.train.Gradients;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks the gradients of the MDT and CM objectives against values written down by hand for affine
 * networks {@code u = a x + b} (student) and {@code v = p x + q} (teacher). If any no-gradient pass
 * leaked into the graph, the student's gradient would differ; if the teacher were trained, its
 * weights would hold a gradient.
 */
class DistillationGradientTest {
  static final double SMIN = FlowMatching.SIGMA_MIN;
  static final float A = 0.6f, B = 0.1f, P = 0.9f, Q = -0.2f;
  static final double DELTA = 0.05;
  // Two samples, two values each.
  static final float[] X0 = {0.5f, -1.0f, 1.0f, 0.2f};
  static final float[] EPS = {0.3f, 1.2f, -0.7f, 0.4f};
  static final float[] EPS_F = {-0.9f, 0.1f, 0.8f, -1.1f};
  static final float[] T = {0.8f, 0.3f};

  @Test
  void vdGradientFlowsOnlyThroughTheOneStepOutput() {
    double[] expected = expectedVd(true);
    Map<String, Float> grads = studentGradients(0, 1, true);
    assertThat(grads.get("a")).isCloseTo((float) expected[0], within(1e-4f));
    assertThat(grads.get("b")).isCloseTo((float) expected[1], within(1e-4f));
  }

  @Test
  void vmGradientIsThatOfTheSquaredErrorToAConstantTarget() {
    double[] expected = expectedVm(true);
    Map<String, Float> grads = studentGradients(1, 0, true);
    assertThat(grads.get("a")).isCloseTo((float) expected[0], within(1e-4f));
    assertThat(grads.get("b")).isCloseTo((float) expected[1], within(1e-4f));
  }

  @Test
  void intervalWeightingMakesVmARegressionOntoItsFixedPoint() {
    // Without dNorm, u - target = (1 + t / delta)(u - u*) with u* = (delta v_T + t u_prev) / (t +
    // delta); weighted by delta / (t + delta), the gradient is that of (u - u*)^2.
    assertGradients(studentGradients(1, 0, false, true), expectedFixedPointRegression(A, B));
    assertGradients(studentGradients(0, 1, false, true), expectedVd(false, true));
  }

  @Test
  void vmTargetsComeFromTheTargetNetwork() {
    // emaTarget: u_prev from the target network (here a = 0.4, b = 0.3); the gradient still
    // reaches only the student, towards u* built with the target's u_prev.
    assertGradients(
        studentGradients(1, 0, false, true, 0.4f, 0.3f), expectedFixedPointRegression(0.4f, 0.3f));
  }

  /** {d/da, d/db} of mean((u - u*)^2), u_prev from the network {@code targetA x + targetB}. */
  private static double[] expectedFixedPointRegression(float targetA, float targetB) {
    double ga = 0, gb = 0;
    for (int i = 0; i < 4; i++) {
      double t = T[i / 2];
      double xt = (1 - t) * X0[i] + (SMIN + (1 - SMIN) * t) * EPS[i];
      double vT = P * xt + Q;
      double uPrev = targetA * (xt - DELTA * vT) + targetB;
      double fixedPoint = (DELTA * vT + t * uPrev) / (t + DELTA);
      double u = A * xt + B;
      ga += 2 * (u - fixedPoint) * xt / 4;
      gb += 2 * (u - fixedPoint) / 4;
    }
    return new double[] {ga, gb};
  }

  private static void assertGradients(Map<String, Float> grads, double[] expected) {
    assertThat(grads.get("a")).isCloseTo((float) expected[0], within(1e-4f));
    assertThat(grads.get("b")).isCloseTo((float) expected[1], within(1e-4f));
  }

  @Test
  void combinedLossWeightsBothTermsAndTheTeacherReceivesNoGradient() {
    double[] vm = expectedVm(false);
    double[] vd = expectedVd(false);
    Map<String, Float> grads = studentGradients(0.3, 0.7, false);
    assertThat(grads.get("a")).isCloseTo((float) (0.3 * vm[0] + 0.7 * vd[0]), within(1e-4f));
    assertThat(grads.get("b")).isCloseTo((float) (0.3 * vm[1] + 0.7 * vd[1]), within(1e-4f));
  }

  @Test
  void cmGradientPullsThePredictionTowardsTheOneStepEarlierTarget() {
    try (AffineVelocity student = new AffineVelocity(A, B);
        AffineVelocity teacher = new AffineVelocity(P, Q);
        NDManager m = NDManager.newBaseManager()) {
      student.weights().requireGradients(true);
      teacher.weights().requireGradients(true);
      ObjectiveSettings s = settings(1, 1, false);
      float loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray l =
            CmObjective.compute(
                student,
                student,
                teacher,
                x(m, X0),
                cond(m),
                x(m, EPS),
                m.create(T),
                s,
                SampleSupport.dense());
        loss = l.getFloat();
        gc.backward(l);
      }
      // By hand, one phase: t_tgt = 0.
      double ga = 0, gb = 0, value = 0;
      for (int i = 0; i < 4; i++) {
        double t = T[i / 2];
        double xt = (1 - t) * X0[i] + (SMIN + (1 - SMIN) * t) * EPS[i];
        double xPrev = xt - DELTA * (P * xt + Q);
        double target = xPrev - (t - DELTA) * (A * xPrev + B);
        double pred = xt - t * (A * xt + B);
        value += (pred - target) * (pred - target) / 4;
        ga += 2 * (pred - target) * (-t * xt) / 4;
        gb += 2 * (pred - target) * (-t) / 4;
      }
      assertThat(loss).isCloseTo((float) value, within(1e-5f));
      Map<String, NDArray> g = Gradients.of(student.weights(), m);
      assertThat(g.get("a").getFloat()).isCloseTo((float) ga, within(1e-4f));
      assertThat(g.get("b").getFloat()).isCloseTo((float) gb, within(1e-4f));
      assertNoGradient(teacher, m);
    }
  }

  @Test
  void studentSamplesOnTheOneAndTwoStepGrids() {
    try (AffineVelocity student = new AffineVelocity(A, B);
        NDManager m = NDManager.newBaseManager()) {
      NDArray oneStep = EulerSampler.sampleStudent(student, x(m, EPS), cond(m), 1);
      assertThat(student.calledAt).containsOnly(1.0f);
      // x0 = eps - u(eps, 1)
      assertThat(oneStep.toFloatArray()[0]).isCloseTo(EPS[0] - (A * EPS[0] + B), within(1e-6f));
      student.calledAt.clear();
      NDArray twoStep = EulerSampler.sampleStudent(student, x(m, EPS), cond(m), 2);
      assertThat(student.calledAt).containsExactly(1.0f, 1.0f, 0.5f, 0.5f);
      double half = EPS[0] - 0.5 * (A * EPS[0] + B);
      assertThat(twoStep.toFloatArray()[0])
          .isCloseTo((float) (half - 0.5 * (A * half + B)), within(1e-6f));
    }
  }

  /** Runs the MDT objective once and returns the student's gradients; checks the teacher's. */
  private static Map<String, Float> studentGradients(
      double lambdaVM, double lambdaVD, boolean dNorm) {
    return studentGradients(lambdaVM, lambdaVD, dNorm, false);
  }

  private static Map<String, Float> studentGradients(
      double lambdaVM, double lambdaVD, boolean dNorm, boolean intervalWeighting) {
    return studentGradients(lambdaVM, lambdaVD, dNorm, intervalWeighting, A, B);
  }

  /** With a target network {@code u = targetA x + targetB} for the no-gradient student passes. */
  private static Map<String, Float> studentGradients(
      double lambdaVM,
      double lambdaVD,
      boolean dNorm,
      boolean intervalWeighting,
      float targetA,
      float targetB) {
    try (AffineVelocity student = new AffineVelocity(A, B);
        AffineVelocity target = new AffineVelocity(targetA, targetB);
        AffineVelocity teacher = new AffineVelocity(P, Q);
        NDManager m = NDManager.newBaseManager()) {
      student.weights().requireGradients(true);
      teacher.weights().requireGradients(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        MdtObjective.Terms terms =
            MdtObjective.compute(
                student,
                target,
                teacher,
                x(m, X0),
                cond(m),
                x(m, EPS),
                x(m, EPS_F),
                m.create(T),
                settings(lambdaVM, lambdaVD, dNorm, intervalWeighting),
                SampleSupport.dense());
        gc.backward(terms.total());
      }
      assertNoGradient(teacher, m);
      Map<String, NDArray> g = Gradients.of(student.weights(), m);
      return Map.of("a", g.get("a").getFloat(), "b", g.get("b").getFloat());
    }
  }

  private static void assertNoGradient(AffineVelocity teacher, NDManager m) {
    for (NDArray g : Gradients.of(teacher.weights(), m).values()) {
      assertThat(g.abs().sum().getFloat()).as("teacher gradient").isZero();
    }
  }

  /** {d L_VM / d a, d L_VM / d b} by hand. */
  private static double[] expectedVm(boolean dNorm) {
    double[] xt = new double[4], vT = new double[4], uT = new double[4], d = new double[4];
    for (int i = 0; i < 4; i++) {
      double t = T[i / 2];
      xt[i] = (1 - t) * X0[i] + (SMIN + (1 - SMIN) * t) * EPS[i];
      vT[i] = P * xt[i] + Q;
      double xPrev = xt[i] - DELTA * vT[i];
      uT[i] = A * xt[i] + B;
      d[i] = (uT[i] - (A * xPrev + B)) / DELTA;
    }
    if (dNorm) normalise(d);
    double ga = 0, gb = 0;
    for (int i = 0; i < 4; i++) {
      double target = vT[i] - T[i / 2] * d[i];
      ga += 2 * (uT[i] - target) * xt[i] / 4;
      gb += 2 * (uT[i] - target) / 4;
    }
    return new double[] {ga, gb};
  }

  /** {d L_VD / d a, d L_VD / d b} by hand: only through u_f = a eps_f + b. */
  private static double[] expectedVd(boolean dNorm) {
    return expectedVd(dNorm, false);
  }

  private static double[] expectedVd(boolean dNorm, boolean intervalWeighting) {
    double[] vTF = new double[4], uPred = new double[4], d = new double[4];
    for (int i = 0; i < 4; i++) {
      double t = T[i / 2];
      double xF = EPS_F[i] - (A * EPS_F[i] + B);
      double xtF = (1 - t) * xF + (SMIN + (1 - SMIN) * t) * EPS[i];
      vTF[i] = P * xtF + Q;
      double xPrevF = xtF - DELTA * vTF[i];
      uPred[i] = A * xtF + B;
      d[i] = (uPred[i] - (A * xPrevF + B)) / DELTA;
    }
    if (dNorm) normalise(d);
    double ga = 0, gb = 0;
    for (int i = 0; i < 4; i++) {
      double push = uPred[i] - (vTF[i] - T[i / 2] * d[i]);
      if (intervalWeighting) push *= DELTA / (T[i / 2] + DELTA);
      ga += 2 * push * EPS_F[i] / 4;
      gb += 2 * push / 4;
    }
    return new double[] {ga, gb};
  }

  /** Per sample (pairs of values): d / (||d|| + 0.1). */
  private static void normalise(double[] d) {
    for (int s = 0; s < 2; s++) {
      double norm = Math.sqrt(d[2 * s] * d[2 * s] + d[2 * s + 1] * d[2 * s + 1]);
      d[2 * s] /= norm + 0.1;
      d[2 * s + 1] /= norm + 0.1;
    }
  }

  private static ObjectiveSettings settings(double lambdaVM, double lambdaVD, boolean dNorm) {
    return settings(lambdaVM, lambdaVD, dNorm, false);
  }

  private static ObjectiveSettings settings(
      double lambdaVM, double lambdaVD, boolean dNorm, boolean intervalWeighting) {
    return new ObjectiveSettings(
        DELTA, 2.0, 5.0, lambdaVM, lambdaVD, dNorm, intervalWeighting, 1.0, 1.0, 1);
  }

  private static NDArray x(NDManager m, float[] v) {
    return m.create(v, new Shape(2, 1, 1, 1, 2));
  }

  private static NDArray cond(NDManager m) {
    return m.create(new long[] {0, 1});
  }
}
