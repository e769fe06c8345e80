package io.distillery.operator.distillation;

import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationJob;

/** The trainer config rendered once: the ConfigMap holds the YAML, the Job its hash and port. */
record RenderedTrainerConfig(TrainerConfig config, String yaml, String hash) {

  static RenderedTrainerConfig of(DistillationJob dj) {
    TrainerConfig config = TrainerConfigRenderer.render(dj);
    String yaml = TrainerConfigs.toYaml(config);
    return new RenderedTrainerConfig(config, yaml, TrainerConfigRenderer.hash(yaml));
  }
}
