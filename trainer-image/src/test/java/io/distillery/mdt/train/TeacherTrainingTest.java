package io.distillery.mdt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.DatasetException;
import io.distillery.mdt.data.LoadedDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.progress.TrainingMonitor;
import io.distillery.mdt.sampling.EulerSampler;
import io.distillery.mdt.serve.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherTrainingTest {

  static TrainerConfig tinyConfig(Path out) {
    TrainerConfig c = TinyModels.teacherConfig(out);
    c.hyperparameters.maxSteps = 6;
    c.hyperparameters.learningRate = 1e-3;
    c.checkpointEverySteps = 3;
    c.teacher.sampler.steps = 4;
    return c;
  }

  static LoadedDataset shapes(int n) {
    return new LoadedDataset(
        BuiltinShapes.generate(16, n, 7, BuiltinShapes.Split.TRAIN), BuiltinShapes.CLASS_NAMES);
  }

  @Test
  void writesAVerifiedTeacherArtifactThatSamplesAndResumesToNoExtraWork(@TempDir Path out)
      throws Exception {
    TrainerConfig c = tinyConfig(out);
    TeacherTraining.Result r =
        TeacherTraining.run(
            c, shapes(16), Device.cpu(), TrainingMonitor.none(), Map.of("command", "test"));
    assertThat(r.steps()).isEqualTo(6);
    assertThat(r.digest()).startsWith("sha256:");
    assertThat(r.artifact().resolve(TeacherTraining.LOSS_PLOT)).isRegularFile();
    assertThat(Files.size(r.artifact().resolve(TeacherTraining.LOSS_PLOT))).isGreaterThan(1000);
    try (ModelArtifacts.Loaded teacher = ModelArtifacts.load(r.artifact(), Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      assertThat(teacher.card().role()).isEqualTo("teacher");
      assertThat(teacher.card().sampler().steps()).isEqualTo(4);
      assertThat(teacher.card().classNames()).hasSize(8);
      // The run's provenance is a record outside the digest, not part of the card.
      assertThat(teacher.card().training()).doesNotContainKey("command");
      assertThat(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(teacher.artifact().file(ModelArtifacts.PROVENANCE).toFile())
                  .path("command")
                  .asText())
          .isEqualTo("test");
      NDArray x =
          EulerSampler.sample(
              teacher.model(),
              nd.randomNormal(new ai.djl.ndarray.types.Shape(2, 1, 16, 16, 16)),
              nd.create(new long[] {0, 5}),
              teacher.card().sampler());
      assertThat(x.isNaN().any().getBoolean()).isFalse();
    }
    // The final checkpoint is at maxSteps: a second run resumes there and trains no more.
    TeacherTraining.Result again =
        TeacherTraining.run(c, shapes(16), Device.cpu(), TrainingMonitor.none(), Map.of());
    assertThat(again.resumedFromStep()).isEqualTo(6);
  }

  @Test
  void dataThatDoesNotFitTheModelIsRejectedNamingBothSides(@TempDir Path out) {
    TrainerConfig c = tinyConfig(out);
    c.model.channels = 8;
    assertThatThrownBy(
            () -> TeacherTraining.run(c, shapes(4), Device.cpu(), TrainingMonitor.none(), Map.of()))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("model.channels=8");
  }

  @Test
  void divergenceLeavesNoArtifact(@TempDir Path out) {
    TrainerConfig c = tinyConfig(out);
    VoxelBatch good = BuiltinShapes.generate(16, 4, 7, BuiltinShapes.Split.TRAIN);
    float[] nan = new float[good.data().length];
    Arrays.fill(nan, Float.NaN);
    LoadedDataset bad =
        new LoadedDataset(
            new VoxelBatch(nan, good.labels(), good.count(), 1, 16), BuiltinShapes.CLASS_NAMES);
    assertThatThrownBy(
            () -> TeacherTraining.run(c, bad, Device.cpu(), TrainingMonitor.none(), Map.of()))
        .isInstanceOf(TrainingDivergedException.class);
    assertThat(out.resolve(TeacherTraining.ARTIFACT_DIR)).doesNotExist();
  }

  @Test
  void aChangedHyperparameterIsNotResumedSilently(@TempDir Path out) throws Exception {
    TrainerConfig c = tinyConfig(out);
    c.hyperparameters.maxSteps = 3;
    TeacherTraining.run(c, shapes(16), Device.cpu(), TrainingMonitor.none(), Map.of());
    c.hyperparameters.maxSteps = 6; // may grow: the run just goes on
    c.hyperparameters.gradClip.percentile = 90;
    assertThatThrownBy(
            () ->
                TeacherTraining.run(c, shapes(16), Device.cpu(), TrainingMonitor.none(), Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("hyperparameters.gradClip.percentile")
        .hasMessageContaining("output.dir");
  }
}
