package io.distillery.operator.distillation;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Reads the Kueue Workload of a queued trainer Job with the generic client, so the operator needs
 * no Kueue types and works without Kueue: where its CRDs are not installed (or the operator may not
 * read Workloads) there is no Workload to read, and the status keeps its generic Queued message.
 */
final class KueueWorkloads {
  private static final Logger LOG = Logger.getLogger(KueueWorkloads.class);
  // v1beta2 is the version Kueue stores from v0.15 on; older releases serve only v1beta1.
  private static final List<String> VERSIONS = List.of("v1beta2", "v1beta1");
  // Kueue labels each Workload with the uid of the Job it admits.
  static final String JOB_UID_LABEL = "kueue.x-k8s.io/job-uid";

  private KueueWorkloads() {}

  static Optional<KueueWorkload> of(KubernetesClient client, Job job) {
    String uid = job.getMetadata().getUid();
    for (String version : VERSIONS) {
      try {
        return client
            .genericKubernetesResources(workloads(version))
            .inNamespace(job.getMetadata().getNamespace())
            .withLabel(JOB_UID_LABEL, uid)
            .list()
            .getItems()
            .stream()
            .filter(w -> ownedBy(w, uid))
            .findFirst()
            .map(KueueWorkload::from);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          LOG.debugf("may not read Kueue Workloads in %s: %s", job.getMetadata().getNamespace(), e);
          return Optional.empty();
        }
        if (e.getCode() != 404) {
          throw e;
        }
        // Not served: try the older version, then give up (Kueue is not installed).
      }
    }
    return Optional.empty();
  }

  // Named in full: no discovery request, and a version that is not served answers 404.
  private static ResourceDefinitionContext workloads(String version) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("kueue.x-k8s.io")
        .withVersion(version)
        .withKind("Workload")
        .withPlural("workloads")
        .withNamespaced(true)
        .build();
  }

  private static boolean ownedBy(GenericKubernetesResource w, String uid) {
    return w.getMetadata().getOwnerReferences() != null
        && w.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()));
  }
}
