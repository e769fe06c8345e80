package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.flow.SamplerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny stage artifacts for pipeline tests: untrained transformers whose zero-initialised layers
 * (adaLN, output) are perturbed, so samples are neither all zero nor all alike.
 */
public final class TinyPipelines {
  public static final List<String> CLASSES = List.of("a", "b", "c");
  public static final SamplerSettings SAMPLER = new SamplerSettings(2, 1.0, 1.0);

  private TinyPipelines() {}

  /** {@link TinySpecs#tiny()} with RGB channels and patch 2: an appearance model's spec. */
  public static ModelSpec appearanceSpec() {
    ModelSpec s = TinySpecs.tiny();
    s.patchSize = 2;
    s.channels = 3;
    return s;
  }

  /** A dense structure model (1 channel) at {@code dir}. */
  public static Artifact structure(Path dir, long seed) throws IOException {
    return structure(dir, seed, TinySpecs.tiny(), CLASSES);
  }

  public static Artifact structure(Path dir, long seed, ModelSpec spec, List<String> classes)
      throws IOException {
    try (FlowTransformer m = FlowTransformer.create(spec, seed, Device.cpu())) {
      perturb(m.weights(), seed);
      return ModelArtifacts.write(
          dir,
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE, "teacher", spec, SAMPLER, false, classes, Map.of()),
          m.weights(),
          ModelArtifacts.Extras.none());
    }
  }

  /** A sparse appearance model (RGB) at {@code dir}. */
  public static Artifact appearance(Path dir, long seed) throws IOException {
    return appearance(dir, seed, appearanceSpec(), CLASSES);
  }

  public static Artifact appearance(Path dir, long seed, ModelSpec spec, List<String> classes)
      throws IOException {
    try (SparseFlowTransformer m = SparseFlowTransformer.create(spec, seed, Device.cpu())) {
      perturb(m.weights(), seed);
      return ModelArtifacts.write(
          dir,
          ModelCard.builtIn(
              TrainerConfig.Stage.APPEARANCE, "teacher", spec, SAMPLER, false, classes, Map.of()),
          m.weights(),
          ModelArtifacts.Extras.none());
    }
  }

  /**
   * A sparse appearance student (guidance baked in) trained for {@code studentSteps}: serves only
   * those step counts.
   */
  public static Artifact appearanceStudent(Path dir, long seed, List<Integer> studentSteps)
      throws IOException {
    ModelSpec spec = appearanceSpec();
    try (SparseFlowTransformer m = SparseFlowTransformer.create(spec, seed, Device.cpu())) {
      perturb(m.weights(), seed);
      return ModelArtifacts.write(
          dir,
          ModelCard.builtIn(
              TrainerConfig.Stage.APPEARANCE,
              "student",
              spec,
              SamplerSettings.student(studentSteps.get(studentSteps.size() - 1)),
              true,
              CLASSES,
              Map.of("studentSteps", studentSteps)),
          m.weights(),
          ModelArtifacts.Extras.none());
    }
  }

  private static void perturb(Weights weights, long seed) {
    Random rng = new Random(seed + 100);
    try (NoGrad ignored = NoGrad.enter()) {
      for (var e : weights.asMap().entrySet()) {
        if (e.getKey().contains("adaLN") || e.getKey().contains("final_layer")) {
          NDArray w = e.getValue();
          float[] v = new float[(int) w.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * 0.3);
          }
          try (NDArray d = w.getManager().create(v, w.getShape())) {
            w.addi(d);
          }
        }
      }
    }
  }
}
