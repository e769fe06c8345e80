package io.distillery.operator.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place for label keys, values and the annotation prefix. Every child the operator creates
 * carries the standard {@code app.kubernetes.io/*} labels; informers select on {@link
 * #MANAGED_SELECTOR} so the operator caches only its own objects.
 */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";

  public static final String APP = "distillery";
  public static final String OPERATOR = "distillery-operator";

  /** Prefix of every Distillery label and annotation key. */
  public static final String PREFIX = "distillery.io/";

  /** Names the DistillationJob a child belongs to (informers map pods back with it). */
  public static final String DISTILLATION_JOB = PREFIX + "distillation-job";

  /** SHA-256 of the rendered trainer config, on the pod template (pods roll when it changes). */
  public static final String CONFIG_HASH = PREFIX + "config-hash";

  /** Names the StudentDeployment a serving child belongs to (the Service selects on it). */
  public static final String STUDENT_DEPLOYMENT = PREFIX + "student-deployment";

  /** {@code stable} or {@code canary}: which of a StudentDeployment's Deployments owns a pod. */
  public static final String TRACK = PREFIX + "track";

  /** Digest of the served model, on the serving pod template (pods roll when it changes). */
  public static final String MODEL_DIGEST = PREFIX + "model-digest";

  /**
   * Names the StudentDeployment whose canary a probe pod judges. Probe pods never carry {@link
   * #STUDENT_DEPLOYMENT} or {@link #TRACK}, so no Service, Deployment or serving-pod lookup takes
   * them for serving pods.
   */
  public static final String PROBE_OF = PREFIX + "probe-of";

  /** Kueue's label naming the LocalQueue of a Job. */
  public static final String KUEUE_QUEUE_NAME = "kueue.x-k8s.io/queue-name";

  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private Labels() {}

  /** The standard labels of a child of {@code instance} playing {@code component}. */
  public static Map<String, String> standard(String instance, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, instance);
    labels.put(COMPONENT, component);
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(PART_OF, APP);
    return labels;
  }

  /** Selector for the children of one component, e.g. all trainer pods. */
  public static String componentSelector(String component) {
    return MANAGED_SELECTOR + "," + COMPONENT + "=" + component;
  }
}
