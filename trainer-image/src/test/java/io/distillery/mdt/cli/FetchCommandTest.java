package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.ExitCodes;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.serve.TinyModels;
import io.distillery.mdt.storage.ObjectStore;
import io.distillery.mdt.storage.S3Location;
import io.distillery.mdt.storage.S3TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mdt fetch} (and {@code mdt push}, its way in) as a real process against a real S3 server
 * ({@link S3TestServer}): the exit code and one line naming the URI for each way a fetch fails, and
 * nothing in --to unless the whole artifact verified.
 */
class FetchCommandTest {
  private static final String BUCKET = "artifacts";

  @TempDir static Path dir;
  static S3TestServer server;
  static String digest;

  @BeforeAll
  static void anArtifactInTheBucket() throws Exception {
    server = S3TestServer.start(dir.resolve("weed"));
    server.createBucket(BUCKET);
    Path teacher = TinyModels.teacher(dir.resolve("made"), 3);
    digest = Artifact.open(teacher).digest();
    try (ObjectStore store = server.store()) {
      store.uploadTree(teacher, S3Location.parse("s3://artifacts/teacher", "t"), "manifest.json");
      // The same artifact with one weights byte changed after it was published.
      Path tampered = dir.resolve("tampered");
      copyTree(teacher, tampered);
      Path weights = tampered.resolve("weights.safetensors");
      byte[] b = Files.readAllBytes(weights);
      b[b.length - 3] ^= 1;
      Files.write(weights, b);
      store.uploadTree(tampered, S3Location.parse("s3://artifacts/tampered", "t"), "manifest.json");
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void fetchesAVerifiedArtifactAndAgainIsANoOp() throws Exception {
    Path to = dir.resolve("ok/teacher");
    Path message = dir.resolve("ok-termination-log");
    Run r = fetch("s3://artifacts/teacher", digest, to, message, server.environment());
    assertThat(r.code).as(r.err).isEqualTo(ExitCodes.OK);
    assertThat(Artifact.open(to).digest()).isEqualTo(digest);
    assertThat(Files.readString(message)).startsWith("fetched s3://artifacts/teacher");
    assertThat(siblingsOf(to)).containsExactly("teacher");

    Run again = fetch("s3://artifacts/teacher", digest, to, message, server.environment());
    assertThat(again.code).as(again.err).isEqualTo(ExitCodes.OK);
    assertThat(again.out).contains("already present");

    // A --to holding another artifact is a bad option, and is left as it is.
    String other = "sha256:" + "1".repeat(64);
    Run clash = fetch("s3://artifacts/teacher", other, to, message, server.environment());
    assertThat(clash.code).as(clash.err).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(clash.err).contains("--to " + to + ": already holds artifact " + digest);
    assertThat(Artifact.open(to).digest()).isEqualTo(digest);
  }

  @Test
  void aPushedArtifactIsFetchedAndAPrefixHoldingAnotherIsNeverOverwritten() throws Exception {
    Path model = TinyModels.teacher(dir.resolve("to-push"), 5);
    String pushedDigest = Artifact.open(model).digest();
    Run pushed = push(model, "s3://artifacts/pushed");
    assertThat(pushed.code).as(pushed.err).isEqualTo(ExitCodes.OK);
    assertThat(pushed.out).contains("pushed s3://artifacts/pushed " + pushedDigest);
    Path to = dir.resolve("pushed/teacher");
    Run fetched =
        fetch("s3://artifacts/pushed", pushedDigest, to, dir.resolve("pushed-log"), env());
    assertThat(fetched.code).as(fetched.err).isEqualTo(ExitCodes.OK);
    assertThat(Artifact.open(to).digest()).isEqualTo(pushedDigest);

    Run again = push(model, "s3://artifacts/pushed");
    assertThat(again.code).as(again.err).isEqualTo(ExitCodes.OK);
    assertThat(again.out).contains("already present: s3://artifacts/pushed");
    Run other = push(model, "s3://artifacts/teacher");
    assertThat(other.code).as(other.err).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(other.err)
        .contains("--to: s3://artifacts/teacher already holds another artifact (" + digest + ")");
    assertThat(fetch("s3://artifacts/teacher", digest, dir.resolve("still"), null, env()).code)
        .isEqualTo(ExitCodes.OK);

    Path notAnArtifact = Files.createDirectories(dir.resolve("not-an-artifact"));
    Files.writeString(notAnArtifact.resolve("model.json"), "{}");
    Run refused = push(notAnArtifact, "s3://artifacts/junk");
    assertThat(refused.code).as(refused.err).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(refused.err).contains("missing manifest.json");
    try (ObjectStore store = server.store()) {
      assertThat(store.list(S3Location.parse("s3://artifacts/junk", "t"))).isEmpty();
    }
  }

  @Test
  void aTamperedFileIsInvalidInputAndLeavesNothing() throws Exception {
    assertFailsWith(
        ExitCodes.INVALID_INPUT,
        "s3://artifacts/tampered",
        digest,
        server.environment(),
        "s3://artifacts/tampered: not a valid artifact: file weights.safetensors is corrupt");
  }

  @Test
  void anotherDigestIsInvalidInput() throws Exception {
    String other = "sha256:" + "0".repeat(64);
    assertFailsWith(
        ExitCodes.INVALID_INPUT,
        "s3://artifacts/teacher",
        other,
        server.environment(),
        "s3://artifacts/teacher: artifact digest is " + digest + ", expected " + other);
  }

  @Test
  void aMissingKeyIsInvalidInput() throws Exception {
    assertFailsWith(
        ExitCodes.INVALID_INPUT,
        "s3://artifacts/no-such-model",
        digest,
        server.environment(),
        "s3://artifacts/no-such-model: no objects under this prefix");
  }

  @Test
  void anUnknownBucketIsInvalidInput() throws Exception {
    assertFailsWith(
        ExitCodes.INVALID_INPUT,
        "s3://no-such-bucket/teacher",
        digest,
        server.environment(),
        "s3://no-such-bucket/teacher: list refused by " + server.endpoint() + ": no such bucket");
  }

  @Test
  void wrongCredentialsAreInvalidInputAndNeverPrinted() throws Exception {
    Map<String, String> env = new HashMap<>(server.environment());
    env.put("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    Run r =
        assertFailsWith(
            ExitCodes.INVALID_INPUT,
            "s3://artifacts/teacher",
            digest,
            env,
            "s3://artifacts/teacher: list refused by " + server.endpoint());
    assertThat(r.err).contains("SignatureDoesNotMatch").doesNotContain("not-the-secret");

    env.put("AWS_ACCESS_KEY_ID", "nobody");
    Run unknown =
        assertFailsWith(
            ExitCodes.INVALID_INPUT,
            "s3://artifacts/teacher",
            digest,
            env,
            "s3://artifacts/teacher: list refused by " + server.endpoint());
    assertThat(unknown.err).contains("InvalidAccessKeyId").doesNotContain("not-the-secret");
  }

  @Test
  void anUnreachableEndpointIsStorageUnavailableWithinTheBound() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>(server.environment());
    env.put("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:" + closed);
    Run r =
        assertFailsWith(
            ExitCodes.STORAGE_UNAVAILABLE,
            "s3://artifacts/teacher",
            digest,
            env,
            "s3://artifacts/teacher: list failed: object storage at http://127.0.0.1:"
                + closed
                + " is unreachable");
    assertThat(r.err).contains("after 3 attempts");
  }

  /** Runs a failing fetch and checks its exit code, its one line and the empty --to. */
  private static Run assertFailsWith(
      int code, String uri, String expected, Map<String, String> env, String line)
      throws Exception {
    Path parent = Files.createDirectories(dir.resolve("fail-" + System.nanoTime()));
    Path to = parent.resolve("artifact");
    Path message = parent.resolve("termination-log");
    Run r = fetch(uri, expected, to, message, env);
    assertThat(r.code).as(r.err).isEqualTo(code);
    assertThat(r.err).contains("mdt: " + line);
    assertThat(Files.readString(message)).contains(line);
    // Nothing visible: no --to, no temporary sibling left behind.
    assertThat(siblingsOf(to)).containsExactly("termination-log");
    return r;
  }

  private record Run(int code, String out, String err) {}

  /** Bound on one fetch: ~30 s for an unreachable endpoint plus the JVM's start. */
  private static final long FETCH_BOUND_SECONDS = 60;

  private static Map<String, String> env() {
    return server.environment();
  }

  private static Run push(Path model, String to) throws IOException, InterruptedException {
    return mdt(List.of("push", "--model", model.toString(), "--to", to), env());
  }

  private static Run fetch(
      String uri, String digest, Path to, Path message, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(List.of("fetch", "--uri", uri, "--digest", digest, "--to", to.toString()));
    if (message != null) {
      args.addAll(List.of("--termination-message-path", message.toString()));
    }
    return mdt(args, env);
  }

  private static Run mdt(List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.distillery.mdt.cli.Mdt"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile(dir, "fetch", ".out");
    Path err = Files.createTempFile(dir, "fetch", ".err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(FETCH_BOUND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("mdt " + args + " did not end within " + FETCH_BOUND_SECONDS + " s");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static List<String> siblingsOf(Path to) throws IOException {
    try (Stream<Path> s = Files.list(to.getParent())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
