package io.distillery.mdt.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code GET /v1/model} finds an artifact's evaluation report. */
class ModelInfoTest {

  @Test
  void readsTheReportInTheArtifactFirst(@TempDir Path tmp) throws Exception {
    Path artifact = Files.createDirectories(tmp.resolve("student"));
    Files.writeString(artifact.resolve("report.json"), "{\"rows\":[{\"steps\":1}]}");
    Files.writeString(tmp.resolve("result.json"), "{\"digest\":\"sha256:a\",\"speedup\":{}}");
    assertThat(ModelInfo.report(artifact, "sha256:a").has("rows")).isTrue();
  }

  @Test
  void usesTheResultBesideTheArtifactOnlyWhenItsDigestMatches(@TempDir Path tmp) throws Exception {
    Path artifact = Files.createDirectories(tmp.resolve("student"));
    Files.writeString(
        tmp.resolve("result.json"), "{\"digest\":\"sha256:a\",\"speedup\":{\"1\":30.0}}");
    assertThat(ModelInfo.report(artifact, "sha256:a").path("speedup").path("1").asDouble())
        .isEqualTo(30.0);
    assertThat(ModelInfo.report(artifact, "sha256:b")).isNull();
  }

  @Test
  void ignoresMissingOrMalformedReports(@TempDir Path tmp) throws Exception {
    Path artifact = Files.createDirectories(tmp.resolve("student"));
    assertThat(ModelInfo.report(artifact, "sha256:a")).isNull();
    Files.writeString(artifact.resolve("result.json"), "{not json");
    assertThat(ModelInfo.report(artifact, "sha256:a")).isNull();
  }
}
