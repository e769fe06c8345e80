package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.Labels;
import java.util.Map;

/** Names, labels and paths of a DistillationJob's children (one place, see docs/design.md). */
public final class DistillationNames {
  public static final String COMPONENT = "trainer";
  public static final String CONTAINER = "trainer";
  public static final String CONFIG_KEY = "trainer.yaml";
  public static final String CONFIG_DIR = "/etc/distillery";
  public static final String CONFIG_FILE = CONFIG_DIR + "/" + CONFIG_KEY;
  public static final String OUTPUT_MOUNT = "/var/lib/distillery/output";
  public static final String INPUTS_MOUNT = "/var/lib/distillery/inputs";
  public static final String PROGRESS_PORT_NAME = "progress";

  /** The trainer's env var naming its own image, which mdt records as the student's provenance. */
  public static final String IMAGE_ENV = "DISTILLERY_IMAGE";

  /** Where the trainer writes its result JSON: in its config and on its container alike. */
  public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  /** Informer selector for everything the DistillationJob controller creates. */
  public static final String CHILD_SELECTOR =
      Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + COMPONENT;

  private DistillationNames() {}

  /** The trainer Job has the DistillationJob's name, so {@code kubectl get jobs} lines up. */
  public static String job(DistillationJob dj) {
    return dj.getMetadata().getName();
  }

  public static String configMap(DistillationJob dj) {
    return dj.getMetadata().getName() + "-trainer-config";
  }

  public static String createdClaim(DistillationJob dj) {
    return dj.getMetadata().getName() + "-output";
  }

  /**
   * The output claim: the given one, or the one the operator creates; null with an object-storage
   * output ({@code spec.output.uri}), which has no claim.
   */
  public static String outputClaim(DistillationJob dj) {
    if (toObjectStorage(dj)) {
      return null;
    }
    String given = dj.getSpec().output.claimName;
    return given != null ? given : createdClaim(dj);
  }

  /** The output is an object-storage prefix: the output mount is a scratch emptyDir. */
  public static boolean toObjectStorage(DistillationJob dj) {
    return dj.getSpec().output.uri != null;
  }

  public static Map<String, String> labels(DistillationJob dj) {
    Map<String, String> labels = Labels.standard(dj.getMetadata().getName(), COMPONENT);
    labels.put(Labels.DISTILLATION_JOB, dj.getMetadata().getName());
    return labels;
  }
}
