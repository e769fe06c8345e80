package io.distillery.operator.distillation;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The trainer Jobs' informer cache, trimmed to what the operator reads: a Job's pod template (most
 * of its size, fixed at creation) and its managed fields are dropped. The reconciler reads the
 * Job's name, uid, {@code spec.suspend} and status; {@link TrainerJobDependent} compares only
 * {@code suspend} and {@code ttlSecondsAfterFinished} and patches by name. About half of the
 * operator's heap per job at scale (BENCHMARKS.md, "Operator scale").
 */
public final class TrainerJobStore extends BasicItemStore<Job> {
  public TrainerJobStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Job put(String key, Job job) {
    return super.put(key, trim(job));
  }

  /** The Job without what the operator never reads (the informer hands over its own copy). */
  static Job trim(Job job) {
    if (job.getMetadata() != null) {
      job.getMetadata().setManagedFields(null);
    }
    if (job.getSpec() != null) {
      job.getSpec().setTemplate(null);
    }
    return job;
  }
}
