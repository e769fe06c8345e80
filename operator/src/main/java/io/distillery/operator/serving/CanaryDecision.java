package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.Optional;

/**
 * A person's decision on a Paused canary: the annotation {@code distillery.io/canary-decision} on
 * the StudentDeployment ({@code promote} or {@code rollback}), and who set it (the field manager
 * that owns the annotation, e.g. {@code kubectl-annotate}).
 */
public record CanaryDecision(String value, String by) {
  public static final String ANNOTATION = Labels.PREFIX + "canary-decision";
  public static final String PROMOTE = "promote";
  public static final String ROLLBACK = "rollback";

  /** The annotation, if set. */
  static Optional<CanaryDecision> of(StudentDeployment sd) {
    var annotations = sd.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ANNOTATION);
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(new CanaryDecision(value, manager(sd)));
  }

  boolean valid() {
    return PROMOTE.equals(value) || ROLLBACK.equals(value);
  }

  /** How the canary message names it: {@code distillery.io/canary-decision=promote by M}. */
  String describe() {
    return ANNOTATION + "=" + value + " (set by " + by + ")";
  }

  private static String manager(StudentDeployment sd) {
    var entries = sd.getMetadata().getManagedFields();
    if (entries == null) {
      return "unknown";
    }
    String key = "f:" + ANNOTATION;
    return entries.stream()
        .filter(e -> e.getFieldsV1() != null && ownsAnnotation(e, key))
        .map(ManagedFieldsEntry::getManager)
        .reduce((first, second) -> second)
        .orElse("unknown");
  }

  private static boolean ownsAnnotation(ManagedFieldsEntry e, String key) {
    Object metadata = e.getFieldsV1().getAdditionalProperties().get("f:metadata");
    if (!(metadata instanceof java.util.Map<?, ?> m)) {
      return false;
    }
    return m.get("f:annotations") instanceof java.util.Map<?, ?> a && a.containsKey(key);
  }
}
