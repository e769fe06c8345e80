package io.distillery.agent;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Env vars from Secret keys ({@code valueFrom.secretKeyRef}), resolved as a kubelet resolves them
 * when it creates the container: a missing Secret or key stops the container with {@code
 * CreateContainerConfigError} and the kubelet's own message, unless the reference is optional (then
 * the variable is left out). Values are never logged.
 */
final class SecretEnv {
  /** The container cannot be created yet; {@link #getMessage()} is the kubelet's wording. */
  static final class ConfigError extends Exception {
    ConfigError(String message) {
      super(message);
    }
  }

  private SecretEnv() {}

  /**
   * The values of {@code env}'s secretKeyRef variables, by name. {@code secrets} reads a Secret's
   * {@code data} (base64 values, as the API returns them), null when the Secret does not exist.
   */
  static Map<String, String> resolve(
      List<EnvVar> env, String namespace, Function<String, Map<String, String>> secrets)
      throws ConfigError {
    Map<String, String> values = new LinkedHashMap<>();
    if (env == null) {
      return values;
    }
    Map<String, Map<String, String>> read = new LinkedHashMap<>();
    for (EnvVar e : env) {
      if (e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null) {
        continue;
      }
      SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Map<String, String> data = read.computeIfAbsent(ref.getName(), secrets);
      if (data == null) {
        if (optional) {
          continue;
        }
        throw new ConfigError("secret \"" + ref.getName() + "\" not found");
      }
      String encoded = data.get(ref.getKey());
      if (encoded == null) {
        if (optional) {
          continue;
        }
        throw new ConfigError(
            "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
      }
      values.put(
          e.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
    }
    return values;
  }
}
