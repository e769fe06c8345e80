package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobSpec;
import io.distillery.operator.common.WithoutManagedFields;

/**
 * The StudentDeployment controller's own cache of DistillationJobs, trimmed to what choosing and
 * resolving a source reads ({@link SourceResolution}, {@link JobSelection}): the metadata without
 * its managed fields and kubectl's last-applied copy of the object, {@code spec.stage} alone, and
 * the status. This controller never writes a DistillationJob, so nothing is written back from the
 * trimmed copy; the DistillationJob controller keeps its own, whole, cache.
 */
final class SourceJobStore extends WithoutManagedFields<DistillationJob> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  @Override
  protected DistillationJob trim(DistillationJob dj) {
    if (dj.getSpec() != null) {
      DistillationJobSpec kept = new DistillationJobSpec();
      kept.stage = dj.getSpec().stage;
      dj.setSpec(kept);
    }
    if (dj.getMetadata() != null && dj.getMetadata().getAnnotations() != null) {
      dj.getMetadata().getAnnotations().remove(LAST_APPLIED);
    }
    return dj;
  }
}
