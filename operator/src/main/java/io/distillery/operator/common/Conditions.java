package io.distillery.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Standard Kubernetes conditions ({@code type, status, reason, message, lastTransitionTime,
 * observedGeneration}). {@code lastTransitionTime} moves only when a condition's status changes, so
 * a new reason or message alone does not look like a transition.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";

  private Conditions() {}

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  public static String reason(List<Condition> conditions, String type) {
    return find(conditions, type).map(Condition::getReason).orElse(null);
  }

  /**
   * Returns a copy of {@code previous} with condition {@code type} set; keeps the previous
   * transition time when the status is unchanged. The order of types is kept stable.
   */
  public static List<Condition> with(
      List<Condition> previous,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    String statusText = status ? TRUE : FALSE;
    Optional<Condition> old = find(previous, type);
    String transition =
        old.filter(c -> statusText.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withLastTransitionTime(transition)
            .withObservedGeneration(generation)
            .build();
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : previous == null ? List.<Condition>of() : previous) {
      if (type.equals(c.getType())) {
        result.add(updated);
        replaced = true;
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(updated);
    }
    return result;
  }
}
