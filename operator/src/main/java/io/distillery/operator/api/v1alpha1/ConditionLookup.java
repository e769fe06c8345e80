package io.distillery.operator.api.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * Reads a status's conditions for the phase functions of both resources (no dependency on common).
 */
final class ConditionLookup {
  private ConditionLookup() {}

  static boolean isTrue(List<Condition> conditions, String type) {
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static String reason(List<Condition> conditions, String type) {
    return conditions == null
        ? null
        : conditions.stream()
            .filter(c -> type.equals(c.getType()))
            .findFirst()
            .map(Condition::getReason)
            .orElse(null);
  }
}
