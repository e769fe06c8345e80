package io.distillery.operator.common;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election through a coordination.k8s.io Lease, so only one replica reconciles. The Quarkus
 * Operator SDK uses this bean in the profiles of {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} (prod). The Lease lives in {@code
 * distillery.leader-election.lease-namespace} (the chart passes the pod's namespace), else in the
 * client's namespace (the service account's, in a pod).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public LeaderElection(
      @ConfigProperty(name = "distillery.leader-election.lease-name") String leaseName,
      @ConfigProperty(name = "distillery.leader-election.lease-namespace")
          Optional<String> leaseNamespace) {
    super(leaseName, leaseNamespace.filter(s -> !s.isBlank()).orElse(null));
  }
}
