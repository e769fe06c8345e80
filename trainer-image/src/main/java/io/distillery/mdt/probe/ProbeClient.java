package io.distillery.mdt.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.CanaryProbeReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks to one serving pod for the probe: {@code GET /v1/model} and {@code POST /v1/generate} with
 * format {@code voxels} and the probe header, so the pod counts the request as probe traffic. Every
 * call is bounded by the probe's deadline; every failure is a {@link ProbeFailure} naming the side,
 * the URL and the problem (for an HTTP error its status and the server's error text, truncated).
 */
final class ProbeClient {
  /** Longest piece of a server's error text quoted in a report. */
  static final int MAX_ERROR_TEXT = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final long deadlineNanos;
  private final Duration timeout;

  /** {@code timeout}: the whole probe's, from now. */
  ProbeClient(Duration timeout) {
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** The message of a probe that ran out of time waiting for {@code side} at {@code url}. */
  String timedOut(String side, URI url) {
    return side
        + " "
        + url
        + ": no answer within the probe's deadline (--timeout "
        + timeout.toSeconds()
        + " s)";
  }

  ServedModel model(String side, URI base) throws ProbeFailure {
    HttpResponse<byte[]> r =
        send(side, base, HttpRequest.newBuilder(base.resolve("/v1/model")).GET());
    JsonNode info = json(side, base, r);
    ServedModel m = ServedModel.parse(info);
    if (m == null) {
      throw new ProbeFailure(side + " " + base + ": GET /v1/model names no classes or resolution");
    }
    return m;
  }

  ProbeAnswer generate(String side, URI base, ProbeRequest request) throws ProbeFailure {
    ObjectNode body = JSON.createObjectNode();
    body.put("class", request.className());
    body.put("seed", request.seed());
    body.put("count", request.count());
    body.put("format", "voxels");
    HttpResponse<byte[]> r =
        send(
            side,
            base,
            HttpRequest.newBuilder(base.resolve("/v1/generate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    JsonNode answer = json(side, base, r);
    String where = side + " " + base + ": class " + request.className() + " seed " + request.seed();
    int resolution = answer.path("resolution").asInt(0);
    JsonNode samples = answer.path("samples");
    if (resolution < 1 || samples.size() != request.count()) {
      throw new ProbeFailure(
          where + ": expected " + request.count() + " samples, got " + samples.size());
    }
    List<boolean[]> grids = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      JsonNode s = samples.get(i);
      if (s.path("seed").asLong() != request.seed() + i
          || !request.className().equals(s.path("class").asText())) {
        throw new ProbeFailure(where + ": sample " + i + " is not the one asked for");
      }
      grids.add(grid(where, s.path("voxels"), resolution));
    }
    return new ProbeAnswer(r.headers().firstValue("X-Model-Digest").orElse(""), resolution, grids);
  }

  private static boolean[] grid(String where, JsonNode voxels, int r) throws ProbeFailure {
    boolean[] g = new boolean[r * r * r];
    for (JsonNode v : voxels) {
      int x = v.path(0).asInt(-1);
      int y = v.path(1).asInt(-1);
      int z = v.path(2).asInt(-1);
      if (v.size() != 3 || x < 0 || y < 0 || z < 0 || x >= r || y >= r || z >= r) {
        throw new ProbeFailure(where + ": voxel " + v + " outside the " + r + "^3 grid");
      }
      g[(x * r + y) * r + z] = true;
    }
    return g;
  }

  private HttpResponse<byte[]> send(String side, URI base, HttpRequest.Builder request)
      throws ProbeFailure {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw new ProbeFailure(timedOut(side, base));
    }
    HttpRequest req =
        request
            .header(CanaryProbeReport.PROBE_HEADER, "mdt-probe")
            .timeout(Duration.ofNanos(left))
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new ProbeFailure(timedOut(side, base));
    } catch (IOException e) {
      throw new ProbeFailure(
          side
              + " "
              + base
              + ": "
              + req.method()
              + " "
              + req.uri().getPath()
              + " failed: "
              + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeFailure(side + " " + base + ": interrupted");
    }
  }

  private static JsonNode json(String side, URI base, HttpResponse<byte[]> r) throws ProbeFailure {
    String path = r.request().method() + " " + r.request().uri().getPath();
    if (r.statusCode() != 200) {
      throw new ProbeFailure(
          side
              + " "
              + base
              + ": "
              + path
              + " answered HTTP "
              + r.statusCode()
              + ": "
              + errorText(r.body()));
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new ProbeFailure(
          side + " " + base + ": " + path + " answered no JSON: " + e.getMessage());
    }
  }

  /** The server's {@code error} field, else its body, cut to {@link #MAX_ERROR_TEXT}. */
  static String errorText(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.path("error").isTextual()) {
        text = n.path("error").asText();
      }
    } catch (IOException notJson) {
      // quote the body as it is
    }
    if (text.isEmpty()) {
      return "(no body)";
    }
    return text.length() <= MAX_ERROR_TEXT ? text : text.substring(0, MAX_ERROR_TEXT) + "...";
  }

  /** A connection failure in words (the JDK's ConnectException often has no message). */
  private static String describe(IOException e) {
    String m = e.getMessage();
    Throwable c = e.getCause();
    while ((m == null || m.isBlank()) && c != null) {
      m = c.getMessage();
      c = c.getCause();
    }
    String kind =
        e instanceof java.net.ConnectException ? "cannot connect" : e.getClass().getSimpleName();
    return m == null || m.isBlank() ? kind : kind + " (" + m + ")";
  }
}
