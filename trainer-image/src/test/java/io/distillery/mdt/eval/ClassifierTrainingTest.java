package io.distillery.mdt.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.VoxelBatch;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainingTest {
  @TempDir Path tmp;

  @Test
  void shortTrainingBeatsChanceAndSurvivesSaveAndLoad() throws IOException {
    ClassifierTraining.Options o =
        new ClassifierTraining.Options(16, 384, 128, 7, 1, 40, 24, 4e-3, 8, 32, 1, 0.0);
    long start = System.nanoTime();
    try (ClassifierTraining.Trained t = ClassifierTraining.train(o)) {
      System.out.printf(
          "classifier smoke: %.3f held-out after %d steps, %.1f s%n",
          t.result().heldOutAccuracy(), o.steps(), (System.nanoTime() - start) / 1e9);
      assertThat(t.result().heldOutAccuracy()).isGreaterThan(2.0 / 8);
      double firstLoss = t.result().lossCurve().get(0)[1];
      double lastLoss = t.result().lossCurve().get(t.result().lossCurve().size() - 1)[1];
      assertThat(lastLoss).isLessThan(firstLoss);

      VoxelBatch held = BuiltinShapes.generate(16, 64, 7, Split.HELD_OUT);
      int[] before = t.classifier().predict(held);
      double[][] featuresBefore = t.classifier().features(held);
      assertThat(featuresBefore[0]).hasSize(32);
      t.classifier().save(tmp.resolve("clf"), t.result());
      try (ShapeClassifier loaded = ShapeClassifier.load(tmp.resolve("clf"))) {
        assertThat(loaded.predict(held)).isEqualTo(before);
        assertThat(loaded.features(held)[3]).containsExactly(featuresBefore[3], within(1e-5));
        assertThat(loaded.classNames()).isEqualTo(BuiltinShapes.CLASS_NAMES);
      }
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
