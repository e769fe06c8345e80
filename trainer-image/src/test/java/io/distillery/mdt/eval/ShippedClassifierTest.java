package io.distillery.mdt.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.BundledArtifacts;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.BuiltinShapes.Split;
import io.distillery.mdt.data.VoxelBatch;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShippedClassifierTest {

  @Test
  void shippedClassifierManifestVerifiesAndItClassifiesHeldOutShapes() throws IOException {
    Artifact artifact = BundledArtifacts.open(ShapeClassifier.SHIPPED);
    assertThat(artifact.digest()).startsWith("sha256:");
    assertThat(artifact.files()).contains("classifier.params", "model.json", "training.json");
    assertThat(artifact.modelJson().path("kind").asText()).isEqualTo("shape-classifier");

    try (ShapeClassifier classifier = ShapeClassifier.load(artifact)) {
      VoxelBatch held = BuiltinShapes.generate(16, 512, 7, Split.HELD_OUT);
      assertThat(classifier.accuracy(held)).isGreaterThan(0.95);

      // Two halves of the held-out set are close; noise is far and gets chance accuracy.
      ShapeEvaluator.Quality same =
          ShapeEvaluator.evaluate(classifier, held.slice(0, 256), held.slice(256, 512));
      double floor = ShapeEvaluator.fdBetweenHalves(classifier, held);
      assertThat(same.fd()).isCloseTo(floor, within(1e-6 * (1 + floor)));
      assertThat(same.classAccuracy()).isGreaterThan(0.95);
      assertThat(same.nna()).isBetween(0.3, 0.7);

      VoxelBatch noise = noise(held.slice(0, 256));
      ShapeEvaluator.Quality bad = ShapeEvaluator.evaluate(classifier, noise, held.slice(256, 512));
      assertThat(bad.fd()).isGreaterThan(10 * floor);
      assertThat(bad.classAccuracy()).isLessThan(0.5);
      assertThat(bad.mmd()).isGreaterThan(same.mmd());
      // On the classifier's features noise is apart from real shapes (under the old voxel-IoU
      // distance a noise grid's nearest neighbour was often a large real shape).
      assertThat(bad.nna()).isGreaterThan(0.9);
      assertThat(bad.precision()).isLessThan(same.precision());
      System.out.printf(
          "shipped classifier: held-out halves fd %.3f acc %.3f mmd %.3f cov %.3f nna %.3f;"
              + " noise fd %.1f acc %.3f mmd %.3f%n",
          same.fd(),
          same.classAccuracy(),
          same.mmd(),
          same.cov(),
          same.nna(),
          bad.fd(),
          bad.classAccuracy(),
          bad.mmd());
    }
  }

  private static VoxelBatch noise(VoxelBatch like) {
    SplittableRandom rng = new SplittableRandom(3);
    float[] data = new float[like.data().length];
    for (int i = 0; i < data.length; i++) {
      data[i] = rng.nextDouble() < 0.15 ? 1f : -1f;
    }
    return new VoxelBatch(data, like.labels(), like.count(), 1, like.resolution());
  }
}
