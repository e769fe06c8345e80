package io.distillery.mdt.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.InvalidConfigException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3LocationTest {
  @Test
  void parsesBucketAndKeyAndNamesChildren() {
    S3Location l = S3Location.parse("s3://my-bucket/models/teacher/", "teacher.uri");
    assertThat(l.bucket()).isEqualTo("my-bucket");
    assertThat(l.key()).isEqualTo("models/teacher");
    assertThat(l.prefix()).isEqualTo("models/teacher/");
    assertThat(l.child("manifest.json").toString())
        .isEqualTo("s3://my-bucket/models/teacher/manifest.json");
    S3Location root = S3Location.parse("s3://my-bucket", "output.uri");
    assertThat(root.prefix()).isEmpty();
    assertThat(root.child("result.json").key()).isEqualTo("result.json");
  }

  @Test
  void aMalformedUriFailsNamingTheFieldAndTheUri() {
    assertThatThrownBy(() -> S3Location.parse("http://b/k", "--uri"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("--uri")
        .hasMessageContaining("'http://b/k' is not an s3:// URI");
    assertThatThrownBy(() -> S3Location.parse("s3://Bad_Bucket/k", "dataset.uri"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("dataset.uri")
        .hasMessageContaining("invalid bucket name 'Bad_Bucket'");
    assertThatThrownBy(() -> S3Location.parse("s3://bucket/a//b", "output.uri"))
        .hasMessageContaining("empty path segment");
  }

  @Test
  void settingsComeFromTheEnvironmentAndNeverPrintTheSecret() {
    S3Settings aws = S3Settings.from(Map.of());
    assertThat(aws.region()).isEqualTo("us-east-1");
    assertThat(aws.endpoint()).isNull();
    assertThat(aws.pathStyle()).isFalse();
    assertThat(aws.accessKeyId()).isNull();

    S3Settings local =
        S3Settings.from(
            Map.of(
                "AWS_ACCESS_KEY_ID", "AKID",
                "AWS_SECRET_ACCESS_KEY", "very-secret",
                "AWS_REGION", "eu-west-1",
                "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:8333"));
    assertThat(local.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8333"));
    assertThat(local.pathStyle()).as("default with an endpoint").isTrue();
    assertThat(local.region()).isEqualTo("eu-west-1");
    assertThat(local.toString()).doesNotContain("very-secret").doesNotContain("AKID");

    assertThat(
            S3Settings.from(
                    Map.of(
                        "AWS_ENDPOINT_URL_S3", "http://minio:9000",
                        "DISTILLERY_S3_PATH_STYLE", "false"))
                .pathStyle())
        .isFalse();
    assertThatThrownBy(() -> S3Settings.from(Map.of("AWS_ACCESS_KEY_ID", "AKID")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("must be set together");
    assertThatThrownBy(() -> S3Settings.from(Map.of("DISTILLERY_S3_PATH_STYLE", "yes")))
        .hasMessageContaining("DISTILLERY_S3_PATH_STYLE");
    assertThatThrownBy(() -> S3Settings.from(Map.of("AWS_ENDPOINT_URL_S3", "localhost:9000")))
        .hasMessageContaining("AWS_ENDPOINT_URL_S3");
  }
}
