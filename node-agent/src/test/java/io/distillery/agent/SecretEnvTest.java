package io.distillery.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretEnvTest {
  static final Map<String, String> CREDS =
      Map.of("accessKeyId", b64("AKIDTEST"), "secretAccessKey", b64("s3cr3t/with+chars"));

  @Test
  void secretKeysBecomeTheirDecodedValuesAndAnAbsentOptionalKeyIsLeftOut() throws Exception {
    var env =
        List.of(
            plain("TMPDIR", "/tmp"),
            ref("AWS_ACCESS_KEY_ID", "creds", "accessKeyId", false),
            ref("AWS_SECRET_ACCESS_KEY", "creds", "secretAccessKey", false),
            ref("AWS_REGION", "creds", "region", true));
    Map<String, String> values = SecretEnv.resolve(env, "ml", name -> secrets().get(name));
    assertThat(values)
        .containsExactly(
            Map.entry("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            Map.entry("AWS_SECRET_ACCESS_KEY", "s3cr3t/with+chars"));
  }

  @Test
  void aMissingSecretIsTheKubeletsCreateContainerConfigErrorMessage() {
    var env = List.of(ref("AWS_ACCESS_KEY_ID", "nope", "accessKeyId", false));
    assertThatThrownBy(() -> SecretEnv.resolve(env, "ml", name -> secrets().get(name)))
        .isInstanceOf(SecretEnv.ConfigError.class)
        .hasMessage("secret \"nope\" not found");
  }

  @Test
  void aMissingRequiredKeyNamesTheKeyAndTheSecretWithoutAnyValue() {
    var env =
        List.of(
            ref("AWS_ACCESS_KEY_ID", "creds", "accessKeyId", false),
            ref("AWS_ENDPOINT_URL_S3", "creds", "endpoint", false));
    assertThatThrownBy(() -> SecretEnv.resolve(env, "ml", name -> secrets().get(name)))
        .isInstanceOf(SecretEnv.ConfigError.class)
        .hasMessage("couldn't find key endpoint in Secret ml/creds")
        .hasMessageNotContaining("AKIDTEST");
  }

  @Test
  void anOptionalReferenceToAMissingSecretIsLeftOut() throws Exception {
    var env = List.of(ref("AWS_REGION", "nope", "region", true));
    assertThat(SecretEnv.resolve(env, "ml", name -> secrets().get(name))).isEmpty();
  }

  @Test
  void eachSecretIsReadOnce() throws Exception {
    Map<String, Integer> reads = new HashMap<>();
    var env =
        List.of(
            ref("AWS_ACCESS_KEY_ID", "creds", "accessKeyId", false),
            ref("AWS_SECRET_ACCESS_KEY", "creds", "secretAccessKey", false));
    SecretEnv.resolve(
        env,
        "ml",
        name -> {
          reads.merge(name, 1, Integer::sum);
          return secrets().get(name);
        });
    assertThat(reads).containsExactly(Map.entry("creds", 1));
  }

  private static Map<String, Map<String, String>> secrets() {
    return Map.of("creds", CREDS);
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar ref(String name, String secret, String key, boolean optional) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .withOptional(optional ? Boolean.TRUE : null)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
