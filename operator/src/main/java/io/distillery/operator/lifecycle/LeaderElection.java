package io.distillery.operator.lifecycle;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election through a coordination.k8s.io Lease, so only one replica reconciles. The Quarkus
 * Operator SDK uses this bean in the profiles of {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} (prod). The Lease's namespace is
 * resolved by {@link LeaseNamespace}. The SDK's own exit on losing the Lease is turned off: it
 * calls {@code System.exit} from the thread that stops the elector, which during a shutdown is the
 * shutdown hook itself, and that blocks forever. {@link LeadershipLoss} exits instead, and {@link
 * GracefulShutdown} releases the Lease.
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  private final LeaseNamespace namespace;
  private final String identity;

  @Inject
  public LeaderElection(
      @ConfigProperty(name = "distillery.leader-election.lease-name") String leaseName,
      @ConfigProperty(name = "distillery.leader-election.lease-namespace")
          Optional<String> leaseNamespace,
      @ConfigProperty(name = "distillery.leader-election.identity") Optional<String> identity,
      KubernetesClient client,
      LeadershipLoss loss) {
    this(
        leaseName,
        LeaseNamespace.resolve(leaseNamespace, client.getNamespace()),
        identity.filter(s -> !s.isBlank()).orElseGet(LeaderElection::defaultIdentity),
        loss);
  }

  private LeaderElection(
      String leaseName, LeaseNamespace namespace, String identity, LeadershipLoss loss) {
    super(
        leaseName,
        namespace.name(),
        LEASE_DURATION_DEFAULT_VALUE,
        RENEW_DEADLINE_DEFAULT_VALUE,
        RETRY_PERIOD_DEFAULT_VALUE,
        identity,
        new LeaderCallbacks(
            () ->
                LOG.infof(
                    "Took the leader-election Lease %s/%s as %s; reconciling",
                    namespace.name(), leaseName, identity),
            () -> loss.stoppedLeading(namespace.name() + "/" + leaseName),
            leader -> {}),
        false);
    this.namespace = namespace;
    this.identity = identity;
  }

  /** Where the Lease is and why there. */
  public LeaseNamespace namespace() {
    return namespace;
  }

  /** This replica's holder identity in the Lease. */
  public String identity() {
    return identity;
  }

  /**
   * In a pod, the pod's name (HOSTNAME): unique among the replicas, and the same after a container
   * restart, so a restarted operator takes its own Lease back at once instead of waiting out the
   * lease duration. Outside a pod the host name plus a random suffix: two processes on one machine
   * share a host name, and equal identities would both believe they lead.
   */
  static String defaultIdentity() {
    Optional<String> host =
        Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank());
    if (host.isPresent() && System.getenv("KUBERNETES_SERVICE_HOST") != null) {
      return host.get();
    }
    return host.orElse("distillery-operator") + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
