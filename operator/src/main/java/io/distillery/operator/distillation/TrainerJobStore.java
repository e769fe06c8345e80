package io.distillery.operator.distillation;

import io.distillery.operator.common.WithoutManagedFields;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * The trainer Jobs' informer cache, trimmed to what the operator reads: a Job's pod template (most
 * of its size, fixed at creation) and its managed fields are dropped. The reconciler reads the
 * Job's name, uid, {@code spec.suspend} and status; {@link TrainerJobDependent} compares only
 * {@code suspend} and {@code ttlSecondsAfterFinished} and patches by name.
 */
public final class TrainerJobStore extends WithoutManagedFields<Job> {
  @Override
  protected Job trim(Job job) {
    if (job.getSpec() != null) {
      job.getSpec().setTemplate(null);
    }
    return job;
  }
}
