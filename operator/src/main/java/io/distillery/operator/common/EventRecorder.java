package io.distillery.operator.common;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.jboss.logging.Logger;

/**
 * Writes core/v1 Events (what {@code kubectl describe} shows). The event name is derived from a key
 * of the transition, so an operator that restarts and sees the same transition again does not
 * record it twice: the second create is answered 409 and ignored.
 */
public final class EventRecorder {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** Records one event about {@code about}; {@code key} identifies the transition. */
  public void record(HasMetadata about, String type, String reason, String message, String key) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String name = about.getMetadata().getName() + "." + shortHash(about, key);
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(about.getMetadata().getNamespace())
            .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR)
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(about.getApiVersion())
                    .withKind(about.getKind())
                    .withName(about.getMetadata().getName())
                    .withNamespace(about.getMetadata().getNamespace())
                    .withUid(about.getMetadata().getUid())
                    .withResourceVersion(about.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(Labels.OPERATOR)
            .endSource()
            .withReportingComponent(Labels.OPERATOR)
            .build();
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        // An event is a courtesy; failing to write one must not fail the reconcile.
        LOG.warnf("could not record event %s on %s: %s", reason, name, e.getMessage());
      }
    }
  }

  private static String shortHash(HasMetadata about, String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((about.getMetadata().getUid() + "/" + key).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
