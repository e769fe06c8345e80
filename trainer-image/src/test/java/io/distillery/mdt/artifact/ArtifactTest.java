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
      // The staging folder and the lock its writer holds.
      assertThat(listing(tmp)).hasSize(2).allMatch(n -> n.startsWith(".staged.tmp-"));
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

  @Test
  void aFileTheManifestDoesNotListIsRefusedByName() throws IOException {
    Path dir = tmp.resolve("published");
    write(dir, new byte[] {1});
    Files.writeString(dir.resolve("report.json"), "{\"fd\": 0.0}");
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("file report.json is not listed in manifest.json")
        .satisfies(e -> assertThat(((CorruptArtifactException) e).file()).isEqualTo("report.json"));

    Files.delete(dir.resolve("report.json"));
    Files.writeString(dir.resolve("reports/extra.json"), "{}");
    Files.writeString(dir.resolve(".hidden"), "x");
    assertThatThrownBy(() -> Artifact.open(dir))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("file .hidden is not listed")
        .hasMessageContaining("nor are 1 more");

    Files.delete(dir.resolve("reports/extra.json"));
    Files.delete(dir.resolve(".hidden"));
    assertThat(Artifact.open(dir).files()).contains("weights.params");
  }

  @Test
  void recordsAreVerifiedButOutsideTheDigest() throws IOException {
    Artifact a = withRecords(tmp.resolve("a"), new byte[] {1, 2}, 64, "2026-01-01", 12.5);
    Artifact sameModelOtherRun =
        withRecords(tmp.resolve("b"), new byte[] {1, 2}, 64, "2026-12-31", 99.0);
    assertThat(sameModelOtherRun.digest()).isEqualTo(a.digest());
    assertThat(a.records()).containsExactly("loss.png", "provenance.json", "report.json");
    // Only the model's files are in the digest, as sha256sum lists them.
    StringBuilder listing = new StringBuilder();
    for (String f : List.of("model.json", "weights.params")) {
      listing.append(sha256(Files.readAllBytes(a.dir().resolve(f)))).append("  ").append(f);
      listing.append('\n');
    }
    assertThat(a.digest())
        .isEqualTo("sha256:" + sha256(listing.toString().getBytes(StandardCharsets.UTF_8)));

    assertThat(withRecords(tmp.resolve("c"), new byte[] {1, 3}, 64, "2026-01-01", 12.5).digest())
        .as("one weight byte")
        .isNotEqualTo(a.digest());
    assertThat(withRecords(tmp.resolve("d"), new byte[] {1, 2}, 32, "2026-01-01", 12.5).digest())
        .as("the model definition")
        .isNotEqualTo(a.digest());

    // A record is still verified: editing it is tampering.
    Files.writeString(a.dir().resolve("report.json"), "{\"latencyMs\": 1.0}");
    assertThatThrownBy(() -> Artifact.open(a.dir()))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("report.json is corrupt");
    // Marking a model file as a record changes the digest it opens with.
    Path manifest = sameModelOtherRun.dir().resolve("manifest.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    ((ObjectNode) m.path("files").path("weights.params")).put("record", true);
    JSON.writeValue(manifest.toFile(), m);
    assertThatThrownBy(() -> Artifact.open(sameModelOtherRun.dir()))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("does not match its file list");
  }

  @Test
  void digestOnlyMakesEveryOtherStagedFileARecord() throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(tmp.resolve("m"))) {
      Files.write(w.path("weights.params"), new byte[] {7});
      Files.write(w.path("module.pt"), new byte[] {8});
      Files.writeString(w.path("evaluation/report.json"), "{}");
      w.modelJson(JSON.createObjectNode().put("arch", "x"));
      w.digestOnly(List.of("weights.params", "module.pt"));
      assertThat(w.commit().records()).containsExactly("evaluation/report.json");
    }
  }

  @Test
  void aVersion1ArtifactStillOpensWithItsAllFilesDigest() throws IOException {
    Artifact v2 = withRecords(tmp.resolve("old"), new byte[] {5}, 64, "2025-06-01", 3.0);
    // What the previous mdt wrote: format v1, no record marks, every file in the digest.
    Path manifest = v2.dir().resolve("manifest.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    m.put("format", "distillery-artifact/v1");
    StringBuilder listing = new StringBuilder();
    for (String f : v2.files()) {
      ((ObjectNode) m.path("files").path(f)).remove("record");
      listing.append(sha256(Files.readAllBytes(v2.dir().resolve(f)))).append("  ").append(f);
      listing.append('\n');
    }
    String allFiles = "sha256:" + sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
    m.put("digest", allFiles);
    JSON.writeValue(manifest.toFile(), m);
    Artifact v1 = Artifact.open(v2.dir());
    assertThat(v1.digest()).isEqualTo(allFiles).isNotEqualTo(v2.digest());
    assertThat(v1.records()).isEmpty();

    m.put("format", "distillery-artifact/v9");
    JSON.writeValue(manifest.toFile(), m);
    assertThatThrownBy(() -> Artifact.open(v2.dir()))
        .isInstanceOf(CorruptArtifactException.class)
        .hasMessageContaining("format is 'distillery-artifact/v9'");
  }

  @Test
  void aNewWriterDeletesOnlyItsTargetsAbandonedStagingFolders() throws IOException {
    String uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    Path killed = Files.createDirectories(tmp.resolve(".model.tmp-" + uuid));
    Files.write(killed.resolve("weights.params"), new byte[1024]);
    Path orphanLock =
        Files.createFile(tmp.resolve(".model.tmp-" + uuid.replace('0', '1') + ".lock"));
    List<Path> kept =
        List.of(
            Files.createDirectories(tmp.resolve(".model.tmp-not-a-uuid")),
            Files.createDirectories(tmp.resolve(".other.tmp-" + uuid)),
            Files.createDirectories(tmp.resolve(".model.old-" + uuid)),
            Files.createDirectories(tmp.resolve("model.tmp-" + uuid)),
            Files.createDirectories(tmp.resolve(".model2.tmp-" + uuid)));
    try (ArtifactWriter live = ArtifactWriter.create(tmp.resolve("model"))) {
      assertThat(killed).doesNotExist();
      assertThat(orphanLock).doesNotExist();
      kept.forEach(p -> assertThat(p).exists());
      Path liveStaging = live.path("weights.params").getParent();
      // A second writer for the same target leaves the first one's staging alone.
      try (ArtifactWriter second = ArtifactWriter.create(tmp.resolve("model"))) {
        assertThat(liveStaging).exists();
      }
      Files.write(live.path("weights.params"), new byte[] {1});
      live.modelJson(JSON.createObjectNode().put("k", 1));
      live.commit();
    }
    assertThat(listing(tmp))
        .containsExactlyInAnyOrder(
            "model",
            ".model.tmp-not-a-uuid",
            ".other.tmp-" + uuid,
            ".model.old-" + uuid,
            "model.tmp-" + uuid,
            ".model2.tmp-" + uuid);
  }

  @Test
  void theStagingFolderOfAKilledWriterProcessIsDeletedByTheNextWriter() throws Exception {
    Path target = tmp.resolve("model");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                StagingHolder.class.getName(),
                target.toString())
            .redirectErrorStream(true)
            .start();
    try {
      String line =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(line).startsWith("staged ");
      Path staging = Path.of(line.substring("staged ".length()));
      assertThat(staging).exists();
      // Alive, its staging is kept.
      ArtifactWriter.create(target).close();
      assertThat(staging).exists();
      p.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
      assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      ArtifactWriter.create(target).close();
      assertThat(staging).doesNotExist();
      assertThat(listing(tmp)).isEmpty();
    } finally {
      p.destroyForcibly();
    }
  }

  /** An artifact like a training run's: weights and model.json, plus records of the run. */
  private static Artifact withRecords(
      Path dir, byte[] weights, int width, String date, double latencyMs) throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(dir)) {
      Files.write(w.path("weights.params"), weights);
      w.writeRecordJson("provenance.json", Map.of("date", date));
      w.writeRecordJson("report.json", Map.of("latencyMs", latencyMs));
      Files.writeString(w.recordPath("loss.png"), date);
      w.modelJson(JSON.createObjectNode().put("arch", "flow-dit").put("width", width));
      return w.commit();
    }
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
