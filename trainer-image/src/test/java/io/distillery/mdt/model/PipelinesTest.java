package io.distillery.mdt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinesTest {
  @TempDir Path dir;

  @Test
  void aPipelineRecordsBothStagesAndReopensThem() throws Exception {
    Artifact s = TinyPipelines.structure(dir.resolve("structure"), 1);
    Artifact a = TinyPipelines.appearance(dir.resolve("appearance"), 2);
    Artifact written =
        Pipelines.write(
            dir.resolve("pipe"), Path.of("../structure"), dir.resolve("appearance"), 0.25);

    JsonNode json = written.modelJson();
    assertThat(json.path("kind").asText()).isEqualTo("pipeline");
    assertThat(json.path("version").asInt()).isEqualTo(1);
    assertThat(json.path("threshold").asDouble()).isEqualTo(0.25);
    assertThat(json.path("stages").path("structure").path("path").asText())
        .isEqualTo("../structure");
    assertThat(json.path("stages").path("structure").path("digest").asText()).isEqualTo(s.digest());
    assertThat(json.path("stages").path("appearance").path("path").asText())
        .isEqualTo(dir.resolve("appearance").toString());
    assertThat(json.path("stages").path("appearance").path("digest").asText())
        .isEqualTo(a.digest());

    Pipelines.Pipeline p = Pipelines.open(dir.resolve("pipe"));
    assertThat(p.artifact().digest()).isEqualTo(written.digest());
    assertThat(p.structure().dir()).isEqualTo(dir.resolve("structure"));
    assertThat(p.structure().digest()).isEqualTo(s.digest());
    assertThat(p.appearance().digest()).isEqualTo(a.digest());
    assertThat(p.card().threshold()).isEqualTo(0.25);
    assertThat(p.appearanceCard().kind()).isEqualTo(ModelCard.SPARSE_FLOW_TRANSFORMER);
  }

  @Test
  void aStageChangedAfterThePipelineWasMadeIsRefusedNamingIt() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    Artifact before = TinyPipelines.appearance(dir.resolve("appearance"), 2);
    Pipelines.write(dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("appearance"), 0);
    // Retrained: the same directory, a valid artifact with other weights.
    Artifact after = TinyPipelines.appearance(dir.resolve("appearance"), 3);
    assertThat(after.digest()).isNotEqualTo(before.digest());

    assertThatThrownBy(() -> Pipelines.open(dir.resolve("pipe")))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("appearance stage")
        .hasMessageContaining(dir.resolve("appearance").toString())
        .hasMessageContaining(before.digest())
        .hasMessageContaining(after.digest());
  }

  @Test
  void aTamperedStageFileIsRefusedNamingTheStage() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    TinyPipelines.appearance(dir.resolve("appearance"), 2);
    Pipelines.write(dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("appearance"), 0);
    Path weights = dir.resolve("structure").resolve(ModelArtifacts.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1;
    Files.write(weights, bytes);

    assertThatThrownBy(() -> Pipelines.open(dir.resolve("pipe")))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("structure stage")
        .hasMessageContaining(ModelArtifacts.WEIGHTS);
  }

  @Test
  void stagesInTheWrongOrderAreRefused() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    TinyPipelines.appearance(dir.resolve("appearance"), 2);
    assertThatThrownBy(
            () ->
                Pipelines.write(
                    dir.resolve("pipe"), dir.resolve("appearance"), dir.resolve("structure"), 0))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("structure stage")
        .hasMessageContaining(dir.resolve("appearance").toString())
        .hasMessageContaining("swapped");
    assertThatThrownBy(
            () ->
                Pipelines.write(
                    dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("structure"), 0))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("appearance stage")
        .hasMessageContaining("is a structure model");
    assertThat(dir.resolve("pipe")).doesNotExist();
  }

  @Test
  void stagesOnDifferentGridsOrClassesAreRefused() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    ModelSpec coarse = TinyPipelines.appearanceSpec();
    coarse.resolution = 4;
    TinyPipelines.appearance(dir.resolve("coarse"), 2, coarse, TinyPipelines.CLASSES);
    TinyPipelines.appearance(
        dir.resolve("renamed"), 2, TinyPipelines.appearanceSpec(), List.of("a", "b", "z"));

    assertThatThrownBy(
            () ->
                Pipelines.write(
                    dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("coarse"), 0))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("appearance stage")
        .hasMessageContaining("resolution 4")
        .hasMessageContaining("has 8");
    assertThatThrownBy(
            () ->
                Pipelines.write(
                    dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("renamed"), 0))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("appearance stage")
        .hasMessageContaining("[a, b, z]")
        .hasMessageContaining("[a, b, c]");
    assertThat(dir.resolve("pipe")).doesNotExist();
  }

  @Test
  void aMissingStageIsNamed() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    assertThatThrownBy(
            () ->
                Pipelines.write(
                    dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("nowhere"), 0))
        .isInstanceOf(java.nio.file.NoSuchFileException.class)
        .hasMessageContaining("nowhere")
        .hasMessageContaining("appearance stage");
  }

  @Test
  void loadingAPipelineAsOneModelSaysWhatItIs() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    TinyPipelines.appearance(dir.resolve("appearance"), 2);
    Pipelines.write(dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("appearance"), 0);
    assertThatThrownBy(() -> ModelArtifacts.load(dir.resolve("pipe"), ai.djl.Device.cpu()))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("two-stage pipeline")
        .hasMessageContaining("mdt sample")
        .hasMessageContaining(dir.resolve("structure").toString());
  }

  @Test
  void aNewerPipelineVersionIsRefusedByNumber() throws Exception {
    TinyPipelines.structure(dir.resolve("structure"), 1);
    TinyPipelines.appearance(dir.resolve("appearance"), 2);
    Artifact p =
        Pipelines.write(
            dir.resolve("pipe"), dir.resolve("structure"), dir.resolve("appearance"), 0);
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode) p.modelJson();
    json.put("version", 2);
    try (io.distillery.mdt.artifact.ArtifactWriter w =
        io.distillery.mdt.artifact.ArtifactWriter.create(dir.resolve("pipe"))) {
      w.modelJson(json);
      w.commit();
    }
    assertThatThrownBy(() -> Pipelines.open(dir.resolve("pipe")))
        .isInstanceOf(UnsupportedArtifactException.class)
        .hasMessageContaining("pipeline version 2")
        .hasMessageContaining("reads version 1");
  }
}
