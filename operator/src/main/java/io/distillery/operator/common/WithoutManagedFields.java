package io.distillery.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer cache that drops {@code metadata.managedFields}: nested maps of every field each
 * writer set, a large part of a small object's heap, which the operator never reads (its
 * server-side applies send the desired object; its matchers compare fields, not managers).
 * Subclasses trim more of what their kind's reconciler does not read.
 *
 * @param <T> the cached kind
 */
public class WithoutManagedFields<T extends HasMetadata> extends BasicItemStore<T> {
  public WithoutManagedFields() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public T put(String key, T item) {
    if (item.getMetadata() != null) {
      item.getMetadata().setManagedFields(null);
    }
    return super.put(key, trim(item));
  }

  /** What a subclass drops besides the managed fields (the informer hands over its own copy). */
  protected T trim(T item) {
    return item;
  }
}
