package io.distillery.operator.distillation;

import io.distillery.operator.common.WithoutManagedFields;
import io.fabric8.kubernetes.api.model.ConfigMap;

/** The trainer ConfigMaps' informer cache without managed fields (the matcher compares data). */
public final class TrainerConfigMapStore extends WithoutManagedFields<ConfigMap> {}
