package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.WithoutManagedFields;

/**
 * The DistillationJobs' informer cache without managed fields: the status is written by server-side
 * apply of a fresh object, never from the cached one's managers.
 */
public final class DistillationJobStore extends WithoutManagedFields<DistillationJob> {}
