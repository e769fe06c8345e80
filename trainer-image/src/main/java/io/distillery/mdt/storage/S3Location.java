package io.distillery.mdt.storage;

import io.distillery.config.InvalidConfigException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code s3://<bucket>/<key-or-prefix>}: a bucket (S3 bucket-name rules) and a key, which may be
 * empty (the bucket root). A prefix names everything under {@code <key>/}.
 */
public record S3Location(String bucket, String key) {
  public static final String SCHEME = "s3://";
  private static final Pattern URI = Pattern.compile("s3://([^/]*)(?:/(.*))?");
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  /** Whether {@code uri} uses the s3 scheme (and so must parse as an {@link S3Location}). */
  public static boolean isS3(String uri) {
    return uri != null && uri.strip().startsWith(SCHEME);
  }

  /**
   * Parses {@code uri}; {@code what} (a config field or option) names it in the error, which is an
   * {@link InvalidConfigException} (exit code 2).
   */
  public static S3Location parse(String uri, String what) {
    Matcher m = URI.matcher(uri == null ? "" : uri.strip());
    if (!m.matches()) {
      throw new InvalidConfigException(
          what + ": '" + uri + "' is not an s3:// URI (s3://<bucket>/<key-or-prefix>)");
    }
    String bucket = m.group(1);
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new InvalidConfigException(
          what
              + ": '"
              + uri
              + "' has an invalid bucket name '"
              + bucket
              + "' (3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter"
              + " or digit)");
    }
    String key = m.group(2) == null ? "" : m.group(2);
    while (key.endsWith("/")) {
      key = key.substring(0, key.length() - 1);
    }
    if (key.startsWith("/") || key.contains("//")) {
      throw new InvalidConfigException(what + ": '" + uri + "' has an empty path segment");
    }
    return new S3Location(bucket, key);
  }

  /** The key prefix of everything under this location: {@code key + "/"}, or "" at the root. */
  public String prefix() {
    return key.isEmpty() ? "" : key + "/";
  }

  /** The location of {@code relative} ('/'-separated) under this prefix. */
  public S3Location child(String relative) {
    return new S3Location(bucket, prefix() + relative);
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
