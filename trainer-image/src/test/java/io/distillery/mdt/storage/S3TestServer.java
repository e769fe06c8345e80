package io.distillery.mdt.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for the storage tests: SeaweedFS's {@code weed server} with its S3 gateway, on
 * free loopback ports, with one identity ({@link #ACCESS_KEY}/{@link #SECRET_KEY}). The binary is
 * what {@code hack/build-control-plane.sh seaweedfs} builds (the trainer-image build runs it before
 * the tests); without it the test fails, never skips. {@link #stop} and {@link #start} kill and
 * start it again on the same ports and data, as a crashed and restarted server.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "distillery-test";
  public static final String SECRET_KEY = "distillery-test-secret";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Path weed;
  private final Path dir;
  private final Map<String, Integer> ports = new HashMap<>();
  private Process process;

  private S3TestServer(Path weed, Path dir) {
    this.weed = weed;
    this.dir = dir;
  }

  /** Starts a server keeping its data (and log) under {@code dir}. */
  public static S3TestServer start(Path dir) throws IOException, InterruptedException {
    S3TestServer s = new S3TestServer(binary(), dir);
    for (String name :
        List.of("s3", "master", "volume", "filer", "s3.grpc", "master.grpc", "volume.grpc")) {
      s.ports.put(name, freePort());
    }
    s.ports.put("filer.grpc", freePort());
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("identities.json"),
        """
        {"identities": [{"name": "distillery",
          "credentials": [{"accessKey": "%s", "secretKey": "%s"}],
          "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        """
            .formatted(ACCESS_KEY, SECRET_KEY),
        StandardCharsets.UTF_8);
    s.start();
    return s;
  }

  /** The weed binary, or a failure that says how to build it. */
  static Path binary() throws IOException, InterruptedException {
    Path repo = Path.of(System.getProperty("distillery.repo", "..")).toAbsolutePath().normalize();
    Process p =
        new ProcessBuilder(repo.resolve("hack/build-control-plane.sh").toString(), "--print-bin")
            .redirectErrorStream(true)
            .start();
    String bin = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    Path weed = Path.of(bin, "weed");
    if (!Files.isExecutable(weed)) {
      throw new AssertionError(
          weed
              + " is missing: run hack/build-control-plane.sh seaweedfs (the trainer-image build"
              + " runs it before the tests; it needs Go and the Go module proxy once)");
    }
    return weed;
  }

  /** Starts (or restarts) the server process and waits until its S3 API answers. */
  public void start() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(weed.toString());
    cmd.add("server");
    cmd.add("-dir=" + dir.resolve("data"));
    cmd.add("-ip=127.0.0.1");
    cmd.add("-ip.bind=127.0.0.1");
    cmd.add("-master.port=" + ports.get("master"));
    cmd.add("-master.port.grpc=" + ports.get("master.grpc"));
    cmd.add("-master.volumeSizeLimitMB=64");
    cmd.add("-volume.port=" + ports.get("volume"));
    cmd.add("-volume.port.grpc=" + ports.get("volume.grpc"));
    cmd.add("-volume.max=20");
    cmd.add("-filer");
    cmd.add("-filer.port=" + ports.get("filer"));
    cmd.add("-filer.port.grpc=" + ports.get("filer.grpc"));
    cmd.add("-s3");
    cmd.add("-s3.port=" + ports.get("s3"));
    cmd.add("-s3.port.grpc=" + ports.get("s3.grpc"));
    cmd.add("-s3.config=" + dir.resolve("identities.json"));
    // Only the ports above: no Iceberg or Lance endpoint, no telemetry, sockets kept here.
    cmd.add("-s3.port.iceberg=0");
    cmd.add("-s3.port.lance=0");
    cmd.add("-master.telemetry=false");
    cmd.add("-filer.localSocket=" + dir.resolve("filer.sock"));
    cmd.add("-s3.localSocket=" + dir.resolve("s3.sock"));
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("weed.log").toFile()))
            .start();
    awaitReady();
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("weed exited with " + process.exitValue() + ":\n" + logTail());
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
    return URI.create("http://127.0.0.1:" + ports.get("s3"));
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

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
