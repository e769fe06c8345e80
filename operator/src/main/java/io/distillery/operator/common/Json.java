package io.distillery.operator.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Objects;

/**
 * Deep copy and comparison of status objects through their JSON (Fabric8's serialization): a field
 * added to a status type is copied and compared without touching this code, as the API server would
 * see it.
 */
public final class Json {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Json() {}

  /** A deep copy of the same runtime type; null stays null. */
  public static <T> T copy(T value) {
    return value == null ? null : SERIALIZATION.clone(value);
  }

  /** Equal as JSON (what a patch would write), so an unchanged status is never written. */
  public static boolean same(Object a, Object b) {
    return Objects.equals(tree(a), tree(b));
  }

  private static JsonNode tree(Object value) {
    return value == null ? null : SERIALIZATION.convertValue(value, JsonNode.class);
  }
}
