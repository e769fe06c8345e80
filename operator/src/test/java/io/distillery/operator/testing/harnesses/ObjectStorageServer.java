package io.distillery.operator.testing.harnesses;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for the end-to-end tests: SeaweedFS's S3 gateway started by {@code
 * hack/s3-server} on loopback (the weed binary hack/build-control-plane.sh builds), with one
 * identity ({@link #ACCESS_KEY}/{@link #SECRET_KEY}). The agent's pods run as local processes, so
 * they reach it at {@link #endpoint()} as a team's pods reach their object store.
 */
public final class ObjectStorageServer implements AutoCloseable {
  public static final String ACCESS_KEY = "distillery-e2e";
  public static final String SECRET_KEY = "distillery-e2e-secret";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private URI endpoint;
  private URI filer;

  private ObjectStorageServer(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** Starts the server with its data and log under {@code dir}; returns once S3 answers. */
  public static ObjectStorageServer start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    ProcessBuilder pb =
        new ProcessBuilder(ControlPlane.repo().resolve("hack/s3-server").toString(), dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("weed.log").toFile());
    pb.environment().put("DISTILLERY_S3_ACCESS_KEY", ACCESS_KEY);
    pb.environment().put("DISTILLERY_S3_SECRET_KEY", SECRET_KEY);
    ObjectStorageServer server = new ObjectStorageServer(pb.start(), dir);
    server.awaitReady();
    return server;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "not started";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("hack/s3-server exited with " + process.exitValue() + log());
      }
      if (endpoint == null && Files.isRegularFile(dir.resolve("filer"))) {
        endpoint = URI.create(Files.readString(dir.resolve("endpoint")).strip());
        filer = URI.create(Files.readString(dir.resolve("filer")).strip());
      }
      if (endpoint != null) {
        try {
          // Any S3 answer (403 to an anonymous request) means the gateway serves.
          http.send(
              HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.discarding());
          return;
        } catch (IOException e) {
          last = e.toString();
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "S3 gateway not answering after " + READY_TIMEOUT + ": " + last + log());
  }

  /** The S3 endpoint, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Creates {@code bucket} (a folder under the filer's /buckets, as SeaweedFS keeps them). */
  public void createBucket(String bucket) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(filer.resolve("/buckets/" + bucket + "/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError(
          "creating bucket " + bucket + ": " + r.statusCode() + " " + r.body());
    }
  }

  /** The environment an {@code mdt} process needs to reach this server as its identity. */
  public Map<String, String> environment() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
        "AWS_ENDPOINT_URL_S3", endpoint.toString());
  }

  /** The keys of a credentials Secret (examples/s3-credentials-secret.yaml) for this server. */
  public Map<String, String> secretData(String secretKey) {
    return Map.of(
        "accessKeyId", ACCESS_KEY, "secretAccessKey", secretKey, "endpoint", endpoint.toString());
  }

  private String log() throws IOException {
    Path log = dir.resolve("weed.log");
    if (!Files.isRegularFile(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log);
    return ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }
}
