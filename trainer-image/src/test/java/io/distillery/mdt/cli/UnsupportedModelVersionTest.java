package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.ExitCodes;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.FlowTransformer;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.ModelCard;
import io.distillery.mdt.model.TinySpecs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An intact artifact in a model format this mdt does not know is refused with exit 3. */
class UnsupportedModelVersionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aNewerFlowTransformerVersionIsRefusedNamingTheVersionAndWhatIsSupported(@TempDir Path dir)
      throws Exception {
    Path model = dir.resolve("teacher");
    ModelCard card = card(TinySpecs.tiny());
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tiny(), 1, Device.cpu());
        ArtifactWriter w = ArtifactWriter.create(model)) {
      m.weights().save(w.path(ModelArtifacts.WEIGHTS));
      ObjectNode json = JSON.valueToTree(card);
      json.put(ModelArtifacts.VERSION_FIELD, 7);
      w.modelJson(json);
      w.commit();
    }
    StringWriter err = new StringWriter();
    var cl = Mdt.commandLine();
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int code =
        cl.execute(
            "evaluate",
            "--model",
            model.toString(),
            "--samples",
            "8",
            "--device",
            "cpu",
            "--out",
            dir.resolve("eval").toString());
    assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(err.toString())
        .contains("flow-transformer version 7")
        .contains("flow-transformer versions 1-2");
  }

  @Test
  void artifactsWrittenNowCarryTheCurrentVersion(@TempDir Path dir) throws Exception {
    ModelCard card = card(TinySpecs.tinyWithConv());
    try (FlowTransformer m = FlowTransformer.create(TinySpecs.tinyWithConv(), 1, Device.cpu())) {
      var artifact =
          ModelArtifacts.write(dir.resolve("t"), card, m.weights(), ModelArtifacts.Extras.none());
      assertThat(artifact.modelJson().path(ModelArtifacts.VERSION_FIELD).asInt()).isEqualTo(2);
      try (var loaded = ModelArtifacts.load(artifact.dir(), Device.cpu())) {
        assertThat(loaded.card().model().convChannels).isEqualTo(4);
      }
    }
  }

  private static ModelCard card(ModelSpec spec) {
    return ModelCard.builtIn(
        TrainerConfig.Stage.STRUCTURE,
        "teacher",
        spec,
        new SamplerSettings(2, 1.0, 1.0),
        false,
        List.of("a", "b", "c"),
        Map.of());
  }
}
