package io.distillery.operator.lifecycle;

import java.util.Optional;

/**
 * Where the leader-election Lease lives: the configured namespace (the chart passes the pod's),
 * else the client's namespace (the service account's in a pod, the kubeconfig context's outside
 * one), else {@code default}, as kubectl does for a context without a namespace.
 *
 * @param name the namespace
 * @param source why this one, for the startup log line
 */
public record LeaseNamespace(String name, String source) {
  public static final String FALLBACK = "default";

  public static LeaseNamespace resolve(Optional<String> configured, String clientNamespace) {
    Optional<String> set = configured.filter(s -> !s.isBlank());
    if (set.isPresent()) {
      return new LeaseNamespace(set.get(), "DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE");
    }
    if (clientNamespace != null && !clientNamespace.isBlank()) {
      return new LeaseNamespace(
          clientNamespace, "the client's namespace (service account or kubeconfig context)");
    }
    return new LeaseNamespace(
        FALLBACK,
        "no namespace configured and none in the kubeconfig context; set"
            + " DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE to choose one");
  }
}
