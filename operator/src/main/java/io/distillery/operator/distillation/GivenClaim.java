package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Checks the claim named by {@code spec.output.claimName}, which the operator never owns. */
final class GivenClaim {
  private GivenClaim() {}

  /** True when a claim is given and does not exist (one GET; only before the Job exists). */
  static boolean missing(DistillationJob dj, KubernetesClient client) {
    String name = dj.getSpec().output.claimName;
    return name != null
        && client
                .persistentVolumeClaims()
                .inNamespace(dj.getMetadata().getNamespace())
                .withName(name)
                .get()
            == null;
  }
}
