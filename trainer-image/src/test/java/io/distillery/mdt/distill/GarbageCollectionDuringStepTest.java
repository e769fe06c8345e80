package io.distillery.mdt.distill;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.flow.StepRandom;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.FreedDirectMemory;
import io.distillery.mdt.model.SampleSupport;
import io.distillery.mdt.model.TinySpecs;
import io.distillery.mdt.train.Gradients;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between the forward pass and backward must not change a distillation step's
 * gradients. It did: constants DJL wraps around Java direct buffers were kept by autograd but freed
 * by the collector (see {@code Scalars}), and runs ended in NaN at random steps.
 */
class GarbageCollectionDuringStepTest {
  static final ModelSpec SPEC = TinySpecs.tiny();
  static final ObjectiveSettings SETTINGS =
      new ObjectiveSettings(0.05, 2.0, 2.0, 1.0, 0.1, true, false, -0.4, 1.0, 1);

  @Test
  void mdtGradientsAreTheSameWithACollectionBeforeBackward() throws Exception {
    Map<String, float[]> clean = gradients(false);
    Map<String, float[]> collected = gradients(true);
    assertThat(collected.keySet()).isEqualTo(clean.keySet());
    clean.forEach(
        (name, g) -> {
          for (float v : collected.get(name)) {
            assertThat(Float.isFinite(v)).as("%s is finite", name).isTrue();
          }
          assertThat(collected.get(name)).as(name).containsExactly(g);
        });
  }

  private static Map<String, float[]> gradients(boolean collectBeforeBackward) throws Exception {
    try (FlowTransformer teacher = FlowTransformer.create(SPEC, 1, Device.cpu());
        FlowTransformer student = teacher.copy();
        NDManager m = NDManager.newBaseManager()) {
      student.weights().requireGradients(true);
      Shape shape = new Shape(2, SPEC.channels, SPEC.resolution, SPEC.resolution, SPEC.resolution);
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        MdtObjective.Terms terms =
            MdtObjective.compute(
                student,
                student,
                teacher,
                noise(m, shape, 1),
                m.create(new long[] {0, 2}),
                noise(m, shape, 2),
                noise(m, shape, 3),
                m.create(new float[] {0.7f, 0.3f}),
                SETTINGS,
                SampleSupport.dense());
        var poison = collectBeforeBackward ? FreedDirectMemory.collectAndPoison() : null;
        c.backward(terms.total());
        java.lang.ref.Reference.reachabilityFence(poison); // the NaN stays in place until here
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      Gradients.of(student.weights(), m).forEach((k, v) -> out.put(k, v.toFloatArray()));
      return out;
    }
  }

  private static NDArray noise(NDManager m, Shape shape, long stream) {
    return m.create(
        StepRandom.gaussian(StepRandom.of(7, 0, stream), Math.toIntExact(shape.size())), shape);
  }
}
