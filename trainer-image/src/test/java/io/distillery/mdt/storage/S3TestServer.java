package io.distillery.mdt.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for the storage tests: SeaweedFS's {@code weed server} with its S3 gateway,
 * started by {@code hack/s3-server} on free loopback ports, with one identity ({@link
 * #ACCESS_KEY}/{@link #SECRET_KEY}). The weed binary is what {@code hack/build-control-plane.sh
 * weed} builds: {@code ./mvnw verify} starts that build in the background at its beginning and the
 * first server waits for it (or builds it); when the build fails the test fails, never skips.
 * {@link #stop} and {@link #start} kill and start it again on the same ports and data, as a crashed
 * and restarted server.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "distillery-test";
  public static final String SECRET_KEY = "distillery-test-secret";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path script;
  private final Path dir;
  private URI endpoint;
  private Process process;

  private S3TestServer(Path script, Path dir) {
    this.script = script;
    this.dir = dir;
  }

  /** Starts a server keeping its data (and log) under {@code dir}. */
  public static S3TestServer start(Path dir) throws IOException, InterruptedException {
    Path repo = Path.of(System.getProperty("distillery.repo", "..")).toAbsolutePath().normalize();
    ensureWeed(repo);
    S3TestServer s = new S3TestServer(repo.resolve("hack/s3-server"), dir);
    Files.createDirectories(dir);
    s.start();
    return s;
  }

  private static volatile boolean weedReady;

  /** Builds weed when missing, or waits while another process (the background build) does. */
  private static synchronized void ensureWeed(Path repo) throws IOException, InterruptedException {
    if (weedReady) {
      return;
    }
    Path log = Files.createTempFile("build-weed", ".log");
    Process build =
        new ProcessBuilder(repo.resolve("hack/build-control-plane.sh").toString(), "weed")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!build.waitFor(1, TimeUnit.HOURS) || build.exitValue() != 0) {
      build.destroyForcibly();
      throw new AssertionError(
          "hack/build-control-plane.sh weed failed:\n" + Files.readString(log));
    }
    Files.delete(log);
    weedReady = true;
  }

  /** Starts (or restarts) the server process and waits until its S3 API answers. */
  public void start() throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(script.toString(), dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("weed.log").toFile()));
    pb.environment().put("DISTILLERY_S3_ACCESS_KEY", ACCESS_KEY);
    pb.environment().put("DISTILLERY_S3_SECRET_KEY", SECRET_KEY);
    process = pb.start();
    awaitReady();
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("weed exited with " + process.exitValue() + ":\n" + logTail());
      }
      Path written = dir.resolve("endpoint");
      if (endpoint == null && Files.isRegularFile(written)) {
        endpoint = URI.create(Files.readString(written).strip());
      }
      if (endpoint == null) {
        Thread.sleep(250);
        continue;
      }
      try (ObjectStore store = store()) {
        store.list(new S3Location("probe-readiness", ""));
        return;
      } catch (InvalidStorageInputException answered) {
        return; // NoSuchBucket: the gateway answers and knows the identity
      } catch (StorageException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "weed's S3 API did not answer within " + READY_TIMEOUT + ": " + last + "\n" + logTail());
  }

  private String logTail() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("weed.log"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  /** Kills the server (SIGKILL, with any child processes); {@link #start} brings it back. */
  public void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    process = null;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** The connection settings for this server, with the test identity. */
  public S3Settings settings() {
    return new S3Settings(ACCESS_KEY, SECRET_KEY, S3Settings.DEFAULT_REGION, endpoint(), true);
  }

  /** The environment an mdt process needs to reach this server. */
  public Map<String, String> environment() {
    return Map.of(
        "AWS_ACCESS_KEY_ID",
        ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY",
        SECRET_KEY,
        "AWS_REGION",
        S3Settings.DEFAULT_REGION,
        "AWS_ENDPOINT_URL_S3",
        endpoint().toString());
  }

  /** A client of this server (the caller closes it). */
  public ObjectStore store() {
    return ObjectStore.open(settings());
  }

  /** Creates {@code bucket}. */
  public void createBucket(String bucket) {
    try (var s3 = TestBuckets.client(settings())) {
      s3.createBucket(r -> r.bucket(bucket));
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
