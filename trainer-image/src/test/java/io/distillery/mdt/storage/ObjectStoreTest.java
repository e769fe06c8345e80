package io.distillery.mdt.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ObjectStore} against a real S3 server ({@link S3TestServer}). */
class ObjectStoreTest {
  @TempDir static Path dir;
  static S3TestServer server;
  static ObjectStore store;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(dir.resolve("weed"));
    server.createBucket("round-trip");
    store = server.store();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aTreeGoesUpAndComesBackByteForByte() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("sub"));
    byte[] big = new byte[3 << 20];
    new Random(1).nextBytes(big);
    Files.write(tree.resolve("weights.bin"), big);
    Files.writeString(tree.resolve("sub/notes.txt"), "notes", StandardCharsets.UTF_8);
    Files.writeString(tree.resolve("manifest.json"), "{}", StandardCharsets.UTF_8);
    S3Location at = S3Location.parse("s3://round-trip/runs/a", "test");

    store.uploadTree(tree, at, "manifest.json");

    assertThat(store.list(at))
        .extracting(ObjectStore.RemoteObject::name)
        .containsExactly("manifest.json", "sub/notes.txt", "weights.bin");
    Path back = dir.resolve("back");
    store.downloadPrefix(at, back);
    assertThat(Files.readAllBytes(back.resolve("weights.bin"))).isEqualTo(big);
    assertThat(Files.readString(back.resolve("sub/notes.txt"))).isEqualTo("notes");

    store.deletePrefix(at, "manifest.json");
    assertThat(store.list(at)).isEmpty();
  }

  @Test
  void aMissingPrefixOrBucketIsInvalidInputNamingTheUri() {
    assertThatThrownBy(
            () ->
                store.downloadPrefix(
                    S3Location.parse("s3://round-trip/nothing-here", "t"), dir.resolve("x")))
        .isInstanceOf(InvalidStorageInputException.class)
        .hasMessageContaining("s3://round-trip/nothing-here: no objects under this prefix");
    assertThatThrownBy(() -> store.list(S3Location.parse("s3://no-such-bucket/p", "t")))
        .isInstanceOf(InvalidStorageInputException.class)
        .hasMessageContaining("s3://no-such-bucket/p")
        .hasMessageContaining("NoSuchBucket");
  }
}
