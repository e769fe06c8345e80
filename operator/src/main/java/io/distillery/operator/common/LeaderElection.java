package io.distillery.operator.common;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election through a coordination.k8s.io Lease, so only one replica reconciles. The Quarkus
 * Operator SDK uses this bean in the profiles of {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} (prod); the Lease lives in the
 * operator's own namespace.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public LeaderElection(
      @ConfigProperty(name = "distillery.leader-election.lease-name") String leaseName) {
    super(leaseName);
  }
}
