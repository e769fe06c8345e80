package io.distillery.mdt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.ExitCodes;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.data.BuiltinShapes;
import io.distillery.mdt.data.NpyShardDataset;
import io.distillery.mdt.data.VoxelBatch;
import io.distillery.mdt.serve.TinyModels;
import io.distillery.mdt.storage.ObjectStore;
import io.distillery.mdt.storage.S3Location;
import io.distillery.mdt.storage.S3TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code mdt distill} processes whose teacher, dataset and output are in a real S3 server
 * ({@link S3TestServer}): the artifact and result.json are published under output.uri (manifest
 * last, the result naming the s3:// URI); a run stopped by SIGTERM uploads its checkpoint before
 * exiting 143, and a rerun with an empty scratch directory resumes from the bucket alone to the
 * uninterrupted run's weights, byte for byte; a server killed while a run uploads ends it with exit
 * code 6 and no artifact manifest in the bucket.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObjectStorageRunTest {
  private static final int MAX_STEPS = 24;
  private static final int EVERY = 3;
  private static final String TEACHER = "s3://runs/inputs/teacher";
  private static final String DATASET = "s3://runs/inputs/shapes";
  private static final Pattern STOPPED =
      Pattern.compile("stopped by SIGTERM/SIGINT after step (\\d+) of " + MAX_STEPS);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static S3TestServer server;
  static ObjectStore store;
  static byte[] straightWeights;

  @BeforeAll
  static void inputsInTheBucketAndAnUninterruptedRun() throws Exception {
    server = S3TestServer.start(dir.resolve("weed"));
    server.createBucket("runs");
    store = server.store();
    Path teacher = TinyModels.teacher(dir.resolve("teacher-run"), 3);
    store.uploadTree(teacher, S3Location.parse(TEACHER, "t"), Artifact.MANIFEST);
    Path shapes = shards(dir.resolve("shapes"));
    store.uploadTree(shapes, S3Location.parse(DATASET, "t"), NpyShardDataset.CLASSES_FILE);

    Path out = dir.resolve("straight");
    Process p = start(out, "s3://runs/straight", "straight");
    assertThat(finish(p, out, "straight")).as(log(out, "straight")).isEqualTo(ExitCodes.OK);
    straightWeights = remoteBytes("s3://runs/straight/student-mdt/weights.safetensors");
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
  @Order(1)
  void theArtifactAndResultArePublishedUnderOutputUri() throws Exception {
    S3Location artifact = S3Location.parse("s3://runs/straight/student-mdt", "t");
    assertThat(names(artifact))
        .contains(Artifact.MANIFEST, "model.json", "weights.safetensors", "provenance.json");
    // What a consumer fetches verifies, with the digest the result names.
    Path fetched = dir.resolve("fetched");
    store.downloadPrefix(artifact, fetched);
    JsonNode result = JSON.readTree(remoteBytes("s3://runs/straight/result.json"));
    assertThat(result.path("artifact").asText()).isEqualTo("s3://runs/straight/student-mdt");
    assertThat(Artifact.open(fetched).digest()).isEqualTo(result.path("digest").asText());
    assertThat(result.path("datasetUri").asText()).isEqualTo(DATASET);
    JsonNode lineage = Artifact.open(fetched).modelJson().path("training").path("lineage");
    assertThat(lineage.path("teacher").path("uri").asText()).isEqualTo(TEACHER);
    assertThat(lineage.path("dataset").path("uri").asText()).isEqualTo(DATASET);
    // The endpoint is provenance (a record), not part of the model's digest.
    assertThat(Artifact.open(fetched).modelJson().path("training").has("objectStorage")).isFalse();
    String provenance = Files.readString(fetched.resolve("provenance.json"));
    assertThat(provenance)
        .contains(server.endpoint().toString())
        .doesNotContain(S3TestServer.SECRET_KEY)
        .doesNotContain(S3TestServer.ACCESS_KEY);
    // The remote checkpoints are the kept ones, each sealed.
    List<String> checkpoints = names(S3Location.parse("s3://runs/straight/checkpoints", "t"));
    assertThat(checkpoints)
        .contains(String.format("student-mdt/step-%08d/SHA256SUMS", MAX_STEPS))
        .noneMatch(n -> n.startsWith(String.format("student-mdt/step-%08d/", EVERY)));
  }

  @Test
  @Order(2)
  void aRunStoppedBySigtermResumesFromTheBucketAloneToTheSameWeights() throws Exception {
    Path out = dir.resolve("resumed");
    String uri = "s3://runs/resumed";
    Process p = start(out, uri, "term");
    awaitRemoteCheckpoint(p, uri, 2 * EVERY, out, "term");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String err = log(out, "term");
    assertThat(p.exitValue()).as(err).isEqualTo(ExitCodes.PREEMPTED);
    Matcher m = STOPPED.matcher(err);
    assertThat(m.find()).as(err).isTrue();
    long stopped = Long.parseLong(m.group(1));
    assertThat(newestRemoteStep(uri)).as("its checkpoint was uploaded").hasValue(stopped);

    deleteTree(out); // a new pod: empty scratch, only the bucket remembers
    Process again = start(out, uri, "resume");
    assertThat(finish(again, out, "resume")).as(log(out, "resume")).isEqualTo(ExitCodes.OK);
    assertThat(log(out, "resume"))
        .contains("restored")
        .contains("distill mdt step " + (stopped + 1) + "/" + MAX_STEPS);
    assertThat(
            Arrays.equals(remoteBytes(uri + "/student-mdt/weights.safetensors"), straightWeights))
        .as("weights after SIGTERM and resume from the bucket equal the uninterrupted run's")
        .isTrue();
    // Same teacher, dataset and lineage: the same artifact digest as well.
    assertThat(JSON.readTree(remoteBytes(uri + "/result.json")).path("digest").asText())
        .isEqualTo(
            JSON.readTree(remoteBytes("s3://runs/straight/result.json")).path("digest").asText());
  }

  @Test
  @Order(3)
  void aServerKilledWhileTheRunUploadsEndsItWithExitSixAndNoManifest() throws Exception {
    Path out = dir.resolve("killed");
    String uri = "s3://runs/killed";
    Process p = start(out, uri, "kill");
    awaitRemoteCheckpoint(p, uri, EVERY, out, "kill");
    server.stop();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ends within the bound").isTrue();
      String err = log(out, "kill");
      assertThat(p.exitValue()).as(err).isEqualTo(ExitCodes.STORAGE_UNAVAILABLE);
      assertThat(err)
          .contains("mdt: " + uri + "/checkpoints/student-mdt/step-")
          .contains("object storage at " + server.endpoint() + " is unreachable");
    } finally {
      server.start();
    }
    assertThat(names(S3Location.parse(uri + "/student-mdt", "t"))).doesNotContain("manifest.json");
    assertThat(names(S3Location.parse(uri, "t"))).doesNotContain("result.json");
  }

  @Test
  @Order(4)
  void trainTeacherPublishesItsArtifactAndCheckpointsUnderOutputUri() throws Exception {
    List<String> args = MdtTest.tinyTeacher(dir.resolve("teacher-out"));
    args.addAll(
        List.of(
            "--set",
            "dataset.uri=" + DATASET,
            "--set",
            "dataset.heldOutSamples=16",
            "--set",
            "output.uri=s3://runs/teacher-run"));
    ProcessBuilder pb = mdt(args);
    Path stdout = dir.resolve("logs/teacher.out");
    Path stderr = dir.resolve("logs/teacher.err");
    Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(stderr)).isEqualTo(ExitCodes.OK);
    assertThat(Files.readString(stdout))
        .contains("teacher written to s3://runs/teacher-run/teacher");
    assertThat(names(S3Location.parse("s3://runs/teacher-run", "t")))
        .contains("teacher/manifest.json", "checkpoints/teacher/step-00000003/SHA256SUMS")
        .noneMatch(n -> n.startsWith(".inputs/"));
    Path fetched = dir.resolve("fetched-teacher");
    store.downloadPrefix(S3Location.parse("s3://runs/teacher-run/teacher", "t"), fetched);
    assertThat(
            Artifact.open(fetched)
                .modelJson()
                .path("training")
                .path("lineage")
                .path("dataset")
                .path("uri")
                .asText())
        .isEqualTo(DATASET);
  }

  /** 48 built-in shapes as one .npz shard (x: occupancy, y: class) plus the class names. */
  private static Path shards(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    VoxelBatch shapes = BuiltinShapes.generate(16, 48, 3, BuiltinShapes.Split.TRAIN);
    long[] y = Arrays.stream(shapes.labels()).asLongStream().toArray();
    try (NDManager m = NDManager.newBaseManager();
        OutputStream os = Files.newOutputStream(dataDir.resolve("shard-0.npz"))) {
      NDArray xs = m.create(shapes.data(), new Shape(48, 1, 16, 16, 16));
      xs.setName("x");
      NDArray ys = m.create(y);
      ys.setName("y");
      new NDList(xs, ys).encode(os, NDList.Encoding.NPZ);
    }
    Files.write(dataDir.resolve(NpyShardDataset.CLASSES_FILE), BuiltinShapes.CLASS_NAMES);
    return dataDir;
  }

  /** An mdt process with {@code args} and this server's environment. */
  private static ProcessBuilder mdt(List<String> args) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                "io.distillery.mdt.cli.Mdt"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(server.environment());
    return pb;
  }

  private static Process start(Path out, String outputUri, String name) throws IOException {
    ProcessBuilder pb =
        mdt(
            List.of(
                "distill",
                "--out",
                out.toString(),
                "--progress-port",
                "0",
                "--device",
                "cpu",
                "--set",
                "teacher.uri=" + TEACHER,
                "--set",
                "dataset.uri=" + DATASET,
                "--set",
                "output.uri=" + outputUri,
                "--set",
                "teacher.sampler.steps=3",
                "--set",
                "hyperparameters.maxSteps=" + MAX_STEPS,
                "--set",
                "checkpointEverySteps=" + EVERY,
                "--set",
                "hyperparameters.batchSize=4",
                "--set",
                "dataset.heldOutSamples=32",
                "--set",
                "evaluation.samples=16",
                "--set",
                "studentSteps=[1]"));
    return pb.redirectOutput(logFile(out, name, "out").toFile())
        .redirectError(logFile(out, name, "err").toFile())
        .start();
  }

  private static Path logFile(Path out, String name, String stream) {
    return dir.resolve("logs").resolve(out.getFileName() + "-" + name + "." + stream);
  }

  private static String log(Path out, String name) throws IOException {
    return Files.readString(logFile(out, name, "err"), StandardCharsets.UTF_8);
  }

  private static int finish(Process p, Path out, String name) throws Exception {
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish:\n" + log(out, name));
    }
    return p.exitValue();
  }

  /** Waits until the bucket holds a sealed checkpoint at or after {@code step}. */
  private static void awaitRemoteCheckpoint(Process p, String uri, long step, Path out, String name)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (newestRemoteStep(uri).orElse(0L) < step) {
      assertThat(p.isAlive()).as("run ended before step %d: %s", step, log(out, name)).isTrue();
      assertThat(System.nanoTime()).as("checkpoint %d in time", step).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Optional<Long> newestRemoteStep(String uri) throws IOException {
    Pattern sealed = Pattern.compile("student-mdt/step-(\\d+)/SHA256SUMS");
    return names(S3Location.parse(uri + "/checkpoints", "t")).stream()
        .map(sealed::matcher)
        .filter(Matcher::matches)
        .map(m -> Long.parseLong(m.group(1)))
        .max(Comparator.naturalOrder());
  }

  private static List<String> names(S3Location prefix) throws IOException {
    return store.list(prefix).stream().map(ObjectStore.RemoteObject::name).toList();
  }

  private static byte[] remoteBytes(String uri) throws IOException {
    Path file = Files.createTempFile(dir, "remote", ".bin");
    store.download(S3Location.parse(uri, "t"), file);
    return Files.readAllBytes(file);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
