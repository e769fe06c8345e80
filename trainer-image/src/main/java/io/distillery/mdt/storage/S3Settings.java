package io.distillery.mdt.storage;

import io.distillery.config.InvalidConfigException;
import java.net.URI;
import java.util.Map;

/**
 * How mdt reaches object storage, from its environment (trainer-image README, "Object storage"):
 * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} (both, or neither: then the AWS SDK's
 * default credentials chain, e.g. web identity), {@code AWS_REGION} (default {@value
 * #DEFAULT_REGION}), {@code AWS_ENDPOINT_URL_S3} (an S3-compatible server; unset: AWS) and {@code
 * DISTILLERY_S3_PATH_STYLE} (default: true when an endpoint is set). {@link #toString} leaves the
 * credentials out: they must never reach a log, a status or provenance.
 */
public record S3Settings(
    String accessKeyId, String secretAccessKey, String region, URI endpoint, boolean pathStyle) {
  public static final String DEFAULT_REGION = "us-east-1";

  /** The settings of this process's environment. */
  public static S3Settings fromEnvironment() {
    return from(System.getenv());
  }

  /** The settings of {@code env}; a malformed value fails naming its variable (exit code 2). */
  public static S3Settings from(Map<String, String> env) {
    String key = blankToNull(env.get("AWS_ACCESS_KEY_ID"));
    String secret = blankToNull(env.get("AWS_SECRET_ACCESS_KEY"));
    if ((key == null) != (secret == null)) {
      throw new InvalidConfigException(
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, for the"
              + " default credentials chain)");
    }
    String region = blankToNull(env.get("AWS_REGION"));
    URI endpoint = null;
    String url = blankToNull(env.get("AWS_ENDPOINT_URL_S3"));
    if (url != null) {
      try {
        endpoint = URI.create(url);
      } catch (IllegalArgumentException e) {
        endpoint = null;
      }
      if (endpoint == null
          || endpoint.getHost() == null
          || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
        throw new InvalidConfigException(
            "AWS_ENDPOINT_URL_S3: '" + url + "' is not an http(s)://host[:port] URL");
      }
    }
    String style = blankToNull(env.get("DISTILLERY_S3_PATH_STYLE"));
    boolean pathStyle;
    if (style == null) {
      pathStyle = endpoint != null;
    } else if (style.equalsIgnoreCase("true") || style.equalsIgnoreCase("false")) {
      pathStyle = Boolean.parseBoolean(style);
    } else {
      throw new InvalidConfigException(
          "DISTILLERY_S3_PATH_STYLE: must be true or false, got '" + style + "'");
    }
    return new S3Settings(
        key, secret, region == null ? DEFAULT_REGION : region, endpoint, pathStyle);
  }

  /** The endpoint as error messages and provenance name it. */
  public String endpointName() {
    return endpoint == null ? "AWS S3 (" + region + ")" : endpoint.toString();
  }

  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpointName()
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", credentials="
        + (accessKeyId == null ? "default chain" : "from environment")
        + "]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
