package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.distillery.config.InvalidConfigException;
import io.distillery.config.TrainerConfig;
import io.distillery.mdt.artifact.CorruptArtifactException;
import io.distillery.mdt.flow.SamplerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeachersTest {

  @Test
  void loadsAnArtifactTeacherAndAStudentCopyOfIt(@TempDir Path dir) throws Exception {
    Path art = dir.resolve("teacher");
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 2, Device.cpu())) {
      ModelArtifacts.write(
          art,
          ModelCard.builtIn(
              TrainerConfig.Stage.STRUCTURE,
              "teacher",
              TinySpecs.tiny(),
              new SamplerSettings(25, 3, 1),
              false,
              List.of("a", "b", "c"),
              Map.of()),
          m.weights(),
          ModelArtifacts.Extras.none());
    }
    TrainerConfig c = new TrainerConfig();
    c.teacher.uri = art.toUri().toString();
    try (Teachers.Teacher t = Teachers.load(c, Device.cpu())) {
      assertThat(t.classNames()).containsExactly("a", "b", "c");
      assertThat(t.model().numClasses()).isEqualTo(3);
      try (FlowTransformer student = ((FlowTransformer) t.model()).copy()) {
        assertThat(student.weights().get("input_layer.weight").toFloatArray())
            .containsExactly(t.model().weights().get("input_layer.weight").toFloatArray());
        assertThat(student.weights().get("input_layer.weight"))
            .isNotSameAs(t.model().weights().get("input_layer.weight"));
      }
    }
    // A flipped byte in the weights is caught and named.
    Path w = art.resolve(ModelArtifacts.WEIGHTS);
    byte[] b = Files.readAllBytes(w);
    b[b.length - 1] ^= 1;
    Files.write(w, b);
    assertThatThrownBy(() -> Teachers.load(c, Device.cpu()))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining(ModelArtifacts.WEIGHTS);
  }

  @Test
  void loadsATorchScriptTeacherWithTheConfiguredShape() throws Exception {
    TrainerConfig c = new TrainerConfig();
    c.teacher.format = "torchscript";
    c.teacher.uri = "src/test/resources/torchscript/tiny_teacher.pt";
    c.model.resolution = 2;
    c.model.patchSize = 1;
    c.model.numClasses = 3;
    try (Teachers.Teacher t = Teachers.load(c, Device.cpu())) {
      assertThat(t.model().sampleShape().getShape()).containsExactly(1, 2, 2, 2);
      assertThat(t.sampler().steps()).isEqualTo(25);
    }
  }

  @Test
  void unknownSchemesAreConfigErrors() {
    assertThatThrownBy(() -> Teachers.path("gs://bucket/x"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("teacher.uri");
    // s3:// is read only where a command downloaded it first (RemoteRun).
    assertThatThrownBy(() -> Teachers.path("s3://bucket/x"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("s3://bucket/x: s3:// URIs are read by mdt distill");
    assertThat(Teachers.path("file:///tmp/t")).isEqualTo(Path.of("/tmp/t"));
  }
}
