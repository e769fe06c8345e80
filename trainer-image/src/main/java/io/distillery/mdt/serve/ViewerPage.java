package io.distillery.mdt.serve;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The viewer page's files ({@code viewer/} on the classpath: the page, its script and three.js,
 * vendored at build time), served from memory: serving pods have a read-only root filesystem, so
 * nothing is extracted to disk, and no CDN is ever asked.
 */
final class ViewerPage {
  /** Paths below /viewer/: plain names, no dot segments, no hidden files. */
  private static final Pattern SAFE =
      Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8");

  private final Map<String, Optional<Buffer>> cache = new ConcurrentHashMap<>();

  /** The file at {@code path} below viewer/ (e.g. {@code index.html}), if there is one. */
  Optional<Buffer> file(String path) {
    if (!SAFE.matcher(path).matches() || path.contains("..")) {
      return Optional.empty();
    }
    return cache.computeIfAbsent(path, ViewerPage::load);
  }

  static String contentType(String path) {
    int dot = path.lastIndexOf('.');
    String ext = dot < 0 ? "" : path.substring(dot + 1);
    return TYPES.getOrDefault(ext, "text/plain; charset=utf-8");
  }

  private static Optional<Buffer> load(String path) {
    try (InputStream in = ViewerPage.class.getResourceAsStream("/viewer/" + path)) {
      return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
