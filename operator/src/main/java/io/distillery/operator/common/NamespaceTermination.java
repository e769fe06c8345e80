package io.distillery.operator.common;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Recognises the API server's refusal to create anything in a namespace being deleted. While a
 * namespace terminates its contents go in no particular order, so a controller sees its children
 * vanish before the resource that owns them; recreating them fails with this refusal, which is not
 * a problem to report, retry or put on the status.
 */
public final class NamespaceTermination {
  static final String CAUSE = "NamespaceTerminating";

  private NamespaceTermination() {}

  /**
   * True when {@code namespace} is being deleted. A GET, so only for rare paths (a child vanished);
   * false when it cannot be read.
   */
  public static boolean terminating(KubernetesClient client, String namespace) {
    try {
      Namespace ns = client.namespaces().withName(namespace).get();
      return ns == null
          || ns.getMetadata().getDeletionTimestamp() != null
          || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()));
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  /** True when {@code error} (or a cause of it) is the API server refusing for that reason. */
  public static boolean causedBy(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && refusal(k.getStatus())) {
        return true;
      }
    }
    return false;
  }

  private static boolean refusal(Status status) {
    if (status == null) {
      return false;
    }
    if (status.getDetails() != null && status.getDetails().getCauses() != null) {
      if (status.getDetails().getCauses().stream().anyMatch(c -> CAUSE.equals(c.getReason()))) {
        return true;
      }
    }
    return status.getMessage() != null
        && status.getMessage().contains("because it is being terminated");
  }
}
