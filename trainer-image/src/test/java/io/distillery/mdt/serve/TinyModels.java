package io.distillery.mdt.serve;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.Weights;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.train.TeacherTraining;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Tiny real models for serving tests, made in a second or two. */
public final class TinyModels {
  private TinyModels() {}

  /** The smallest useful teacher: resolution 16, patch 8, width 16, 1 block, batch 4. */
  public static TrainerConfig teacherConfig(Path out) {
    TrainerConfig c = new TrainerConfig();
    c.model.resolution = 16;
    c.model.patchSize = 8;
    c.model.width = 16;
    c.model.depth = 1;
    c.model.heads = 2;
    c.model.mlpRatio = 2;
    c.hyperparameters.batchSize = 4;
    c.output.dir = out.toString();
    return c;
  }

  /**
   * Trains a resolution-16 teacher (patch 8, width 16, 1 block) for a few steps on the built-in
   * shapes; its card says {@code steps} Euler steps with CFG 3.
   */
  public static Path teacher(Path out, int steps) throws IOException {
    TrainerConfig c = teacherConfig(out);
    c.hyperparameters.maxSteps = 4;
    c.hyperparameters.learningRate = 1e-2;
    c.checkpointEverySteps = 4;
    c.teacher.sampler.steps = steps;
    LoadedDataset data =
        new LoadedDataset(
            BuiltinShapes.generate(16, 16, 7, BuiltinShapes.Split.TRAIN),
            BuiltinShapes.CLASS_NAMES);
    return TeacherTraining.run(c, data, Device.cpu(), TrainingMonitor.none(), Map.of()).artifact();
  }

  /**
   * A 1-step student whose every sample is {@code value} everywhere: the teacher's weights with the
   * output layer's weights zeroed and its bias set to {@code value} (the network predicts the data,
   * so -1 gives empty shapes, as a collapsed student does, and +1 full cubes).
   */
  public static Path constantStudent(Path teacherDir, Path target, float value) throws IOException {
    try (ModelArtifacts.Loaded t = ModelArtifacts.load(teacherDir, Device.cpu())) {
      Weights w = t.model().weights();
      String out = w.asMap().containsKey("head.fc2.bias") ? "head.fc2" : "final_layer.linear";
      w.put(out + ".weight", w.get(out + ".weight").zerosLike());
      w.put(out + ".bias", w.get(out + ".bias").zerosLike().add(value));
      ModelCard card =
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE,
              "student",
              t.card().model(),
              SamplerSettings.student(1),
              true,
              t.card().classNames(),
              Map.of("studentSteps", List.of(1), "method", "mdt"));
      return ModelArtifacts.write(target, card, w, ModelArtifacts.Extras.none()).dir();
    }
  }

  /**
   * A student-shaped artifact from a teacher's weights: role {@code student}, guidance baked in,
   * trained for {@code studentSteps} (the first is its default).
   */
  public static Path student(Path teacherDir, Path target, List<Integer> studentSteps)
      throws IOException {
    try (ModelArtifacts.Loaded t = ModelArtifacts.load(teacherDir, Device.cpu())) {
      ModelCard card =
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE,
              "student",
              t.card().model(),
              SamplerSettings.student(studentSteps.get(0)),
              true,
              t.card().classNames(),
              Map.of("studentSteps", studentSteps, "method", "mdt"));
      return ModelArtifacts.write(target, card, t.model().weights(), ModelArtifacts.Extras.none())
          .dir();
    }
  }
}
