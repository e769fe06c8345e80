package io.distillery.operator.lifecycle;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Hands the Lease back on shutdown, so a standby replica takes over at its next retry (about 2 s)
 * instead of after the lease duration: the holder is cleared, as client-go does with
 * ReleaseOnCancel. Uses its own client with short timeouts and no retries, because the operator's
 * client is closed by then and the API server may be gone. The update carries the read
 * resourceVersion, so a Lease another replica took meanwhile is left alone.
 */
final class LeaseRelease {
  private LeaseRelease() {}

  /** Returns whether the Lease was released; false when this replica did not hold it. */
  static boolean release(Config config, String namespace, String name, String identity) {
    Config quick =
        new ConfigBuilder(config)
            .withRequestTimeout(1_000)
            .withConnectionTimeout(1_000)
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(quick).build()) {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return false;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      client.resource(lease).update();
      return true;
    }
  }
}
