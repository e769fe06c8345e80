package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code GET /v1/model} finds an artifact's evaluation report: only in verified files. */
class ModelInfoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An artifact with one weights file and, when {@code report} is not null, report.json. */
  private static Artifact artifact(Path dir, Object report) throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.writeString(w.path("weights.params"), "w");
      if (report != null) {
        w.writeRecordJson("report.json", report);
      }
      w.modelJson(JSON.createObjectNode().put("kind", "toy"));
      return w.commit();
    }
  }

  @Test
  void readsTheReportInTheArtifactFirst(@TempDir Path tmp) throws Exception {
    Artifact a = artifact(tmp.resolve("student"), Map.of("rows", java.util.List.of(1)));
    Files.writeString(tmp.resolve("result.json"), "{\"digest\":\"" + a.digest() + "\"}");
    assertThat(ModelInfo.report(a).has("rows")).isTrue();
  }

  @Test
  void usesTheResultBesideTheArtifactOnlyWhenItsDigestMatches(@TempDir Path tmp) throws Exception {
    Artifact a = artifact(tmp.resolve("student"), null);
    Files.writeString(
        tmp.resolve("result.json"), "{\"digest\":\"" + a.digest() + "\",\"speedup\":{\"1\":30.0}}");
    assertThat(ModelInfo.report(a).path("speedup").path("1").asDouble()).isEqualTo(30.0);
    Files.writeString(
        tmp.resolve("result.json"), "{\"digest\":\"sha256:b\",\"speedup\":{\"1\":30.0}}");
    assertThat(ModelInfo.report(a)).isNull();
  }

  @Test
  void ignoresAMalformedVerifiedReport(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("student");
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.writeString(w.recordPath("result.json"), "{not json");
      w.modelJson(JSON.createObjectNode().put("kind", "toy"));
      assertThat(ModelInfo.report(w.commit())).isNull();
    }
  }

  @Test
  void aReportDroppedIntoAPublishedArtifactIsNeverServed(@TempDir Path tmp) throws Exception {
    Path dir = artifact(tmp.resolve("student"), null).dir();
    Files.writeString(dir.resolve("report.json"), "{\"rows\":[{\"fd\":0.0}]}");
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("report.json is not listed in manifest.json");
  }
}
