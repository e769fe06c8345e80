package io.distillery.mdt.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void roundTripsFilesModelJsonAndDigest() throws IOException {
    Path dir = tmp.resolve("student");
    Artifact written = write(dir, "weights".getBytes(StandardCharsets.UTF_8));

    Artifact read = Artifact.open(dir);
    assertThat(read.digest()).isEqualTo(written.digest()).startsWith("sha256:").hasSize(71);
    assertThat(read.modelJson().path("arch").asText()).isEqualTo("flow-dit");
    assertThat(read.files()).containsExactly("model.json", "reports/eval.json", "weights.params");
    assertThat(Files.readString(read.file("weights.params"))).isEqualTo("weights");
    assertThat(read.file("reports/eval.json")).exists();
    assertThatThrownBy(() -> read.file("nope.bin")).hasMessageContaining("no file 'nope.bin'");

    // The digest is what sha256sum prints for the sorted files, hashed again.
    StringBuilder listing = new StringBuilder();
    for (String f : read.files()) {
      listing.append(sha256(Files.readAllBytes(dir.resolve(f)))).append("  ").append(f);
      listing.append('\n');
    }
    assertThat(read.digest())
        .isEqualTo("sha256:" + sha256(listing.toString().getBytes(StandardCharsets.UTF_8)));

    // Different content, different digest; same content, same digest.
    assertThat(write(tmp.resolve("b"), "other".getBytes(StandardCharsets.UTF_8)).digest())
        .isNotEqualTo(read.digest());
    assertThat(write(tmp.resolve("c"), "weights".getBytes(StandardCharsets.UTF_8)).digest())
        .isEqualTo(read.digest());
  }

  @Test
  void corruptAndMissingFilesAreNamed() throws IOException {
    Path dir = tmp.resolve("a");
    write(dir, new byte[] {1, 2, 3});
    Files.write(dir.resolve("weights.params"), new byte[] {1, 2, 4});
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("weights.params is corrupt")
        .satisfies(
            e -> assertThat(((CorruptArtifactException) e).file()).isEqualTo("weights.params"));

    write(dir, new byte[] {1, 2, 3});
    Files.delete(dir.resolve("reports/eval.json"));
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("missing file reports/eval.json");

    write(dir, new byte[] {1, 2, 3});
    Path manifest = dir.resolve("manifest.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    m.put("digest", "sha256:" + "0".repeat(64));
    JSON.writeValue(manifest.toFile(), m);
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("manifest.json digest");

    Files.delete(manifest);
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("missing manifest.json");
  }

  @Test
  void failureMidwayLeavesNoArtifactAndNoStagingFolder() throws IOException {
    Path dir = tmp.resolve("half");
    assertThatThrownBy(
            () -> {
              try (ArtifactWriter w = ArtifactWriter.create(dir)) {
                try (OutputStream out = w.newFile("weights.params")) {
                  out.write(new byte[1024]);
                }
                throw new IOException("disk full while saving the optimizer state");
              }
            })
        .hasMessageContaining("disk full");
    assertThat(dir).doesNotExist();
    assertThat(listing(tmp)).isEmpty();
  }

  @Test
  void stagedFilesAreInvisibleUntilCommit() throws IOException {
    Path dir = tmp.resolve("staged");
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.writeString(w.path("weights.params"), "w");
      assertThat(dir).doesNotExist();
      assertThat(listing(tmp)).singleElement().asString().startsWith(".staged.tmp-");
      w.modelJson(JSON.createObjectNode().put("k", 1));
      w.commit();
    }
    assertThat(listing(tmp)).containsExactly("staged");
  }

  @Test
  void replacesAnExistingArtifactWholeButRefusesOtherDirectories() throws IOException {
    Path dir = tmp.resolve("model");
    write(dir, new byte[] {1});
    Files.writeString(dir.resolve("stale-extra.txt"), "old");
    Artifact second = write(dir, new byte[] {2});
    assertThat(Files.readAllBytes(second.file("weights.params"))).containsExactly(2);
    assertThat(dir.resolve("stale-extra.txt")).doesNotExist();
    assertThat(listing(tmp)).containsExactly("model");

    Path userDir = tmp.resolve("photos");
    Files.createDirectories(userDir);
    Files.writeString(userDir.resolve("cat.jpg"), "meow");
    assertThatThrownBy(() -> ArtifactWriter.create(userDir))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("neither an artifact nor an empty directory");
    assertThat(userDir.resolve("cat.jpg")).exists();
  }

  @Test
  void commitNeedsModelJsonAndNamesStayInside() throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(tmp.resolve("x"))) {
      assertThatThrownBy(w::commit).hasMessageContaining("model.json not set");
      assertThatThrownBy(() -> w.path("../escape")).hasMessageContaining("inside the artifact");
      assertThatThrownBy(() -> w.path("manifest.json")).hasMessageContaining("written by");
    }
    assertThat(listing(tmp)).isEmpty();
  }

  private static Artifact write(Path dir, byte[] weights) throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.write(w.path("weights.params"), weights);
      w.writeJson("reports/eval.json", Map.of("fd", 1.5));
      w.modelJson(JSON.createObjectNode().put("arch", "flow-dit").put("width", 64));
      return w.commit();
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(Digests.sha256().digest(bytes));
  }
}
