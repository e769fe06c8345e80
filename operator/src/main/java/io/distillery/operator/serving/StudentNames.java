package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import java.util.Map;

/** Names, labels and paths of a StudentDeployment's children (one place, see docs/design.md). */
public final class StudentNames {
  public static final String COMPONENT = "serving";
  public static final String CONTAINER = "serve";
  public static final String STABLE = "stable";
  public static final String CANARY = "canary";
  public static final int HTTP_PORT = 8080;
  public static final String HTTP_PORT_NAME = "http";
  public static final String MODEL_MOUNT = "/var/lib/distillery/model";

  /** The emptyDir the fetch init containers download {@code s3://} models into. */
  public static final String FETCH_MOUNT = "/models";

  /** The init container fetching the (structure) model; the appearance stage's has a suffix. */
  public static final String FETCH_CONTAINER = "fetch";

  public static final String FETCH_APPEARANCE_CONTAINER = "fetch-appearance";

  /** Informer selector for everything the StudentDeployment controller creates. */
  public static final String CHILD_SELECTOR =
      Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + "=" + COMPONENT;

  public static final String STABLE_SELECTOR = CHILD_SELECTOR + "," + Labels.TRACK + "=" + STABLE;
  public static final String CANARY_SELECTOR = CHILD_SELECTOR + "," + Labels.TRACK + "=" + CANARY;

  private StudentNames() {}

  /** The stable Deployment, the Service and the HPA share the StudentDeployment's name. */
  public static String stable(StudentDeployment sd) {
    return sd.getMetadata().getName();
  }

  public static String canary(StudentDeployment sd) {
    return sd.getMetadata().getName() + "-canary";
  }

  public static String service(StudentDeployment sd) {
    return sd.getMetadata().getName();
  }

  public static String url(StudentDeployment sd) {
    return "http://"
        + service(sd)
        + "."
        + sd.getMetadata().getNamespace()
        + ".svc:"
        + sd.getSpec().serviceOrDefault().portOrDefault();
  }

  /** Labels of every child; the Service selects pods of both tracks with {@link #selector}. */
  public static Map<String, String> labels(StudentDeployment sd) {
    Map<String, String> labels = Labels.standard(sd.getMetadata().getName(), COMPONENT);
    labels.put(Labels.STUDENT_DEPLOYMENT, sd.getMetadata().getName());
    return labels;
  }

  public static Map<String, String> labels(StudentDeployment sd, String track) {
    Map<String, String> labels = labels(sd);
    labels.put(Labels.TRACK, track);
    return labels;
  }

  /** The Service's selector: the pods of both Deployments. */
  public static Map<String, String> selector(StudentDeployment sd) {
    return Map.of(Labels.STUDENT_DEPLOYMENT, sd.getMetadata().getName());
  }

  /** A Deployment's selector: the pods of one track only, so the two never adopt each other's. */
  public static Map<String, String> selector(StudentDeployment sd, String track) {
    return Map.of(Labels.STUDENT_DEPLOYMENT, sd.getMetadata().getName(), Labels.TRACK, track);
  }
}
