package io.distillery.operator.distillation;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Kueue's Workload for the trainer Job says about admission: its {@code QuotaReserved} and
 * {@code Evicted} conditions (the same in {@code kueue.x-k8s.io/v1beta1} and {@code v1beta2}).
 *
 * @param quotaReserved the {@code QuotaReserved} condition, or null
 * @param evicted the {@code Evicted} condition while True (Kueue resets it on re-admission), else
 *     null
 */
public record KueueWorkload(Condition quotaReserved, Condition evicted) {

  /** One condition of the Workload: status, reason and message. */
  public record Condition(String status, String reason, String message) {}

  static KueueWorkload from(GenericKubernetesResource workload) {
    Condition reserved = condition(workload, "QuotaReserved").orElse(null);
    Condition evicted =
        condition(workload, "Evicted").filter(c -> "True".equals(c.status())).orElse(null);
    return new KueueWorkload(reserved, evicted);
  }

  /**
   * Whether Kueue refuses the Workload because its LocalQueue does not exist (Kueue's own wording
   * in its Inadmissible condition: "LocalQueue NAME doesn't exist").
   */
  boolean localQueueMissing(String queueName) {
    return quotaReserved != null
        && "False".equals(quotaReserved.status())
        && "Inadmissible".equals(quotaReserved.reason())
        && quotaReserved.message() != null
        && quotaReserved.message().contains("LocalQueue " + queueName + " doesn't exist");
  }

  /** Why Kueue has not admitted it yet (e.g. the quota it lacks), if it said. */
  Optional<String> pendingMessage() {
    return Optional.ofNullable(quotaReserved)
        .filter(c -> "False".equals(c.status()))
        .map(Condition::message)
        .filter(m -> !m.isBlank());
  }

  @SuppressWarnings("unchecked")
  private static Optional<Condition> condition(GenericKubernetesResource workload, String type) {
    Object status = workload.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> list)) {
      return Optional.empty();
    }
    return list.stream()
        .filter(Map.class::isInstance)
        .map(c -> (Map<String, Object>) c)
        .filter(c -> type.equals(c.get("type")))
        .findFirst()
        .map(
            c ->
                new Condition(
                    String.valueOf(c.get("status")),
                    (String) c.get("reason"),
                    (String) c.get("message")));
  }
}
