package io.distillery.operator.distillation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The trainer pods' informer cache, trimmed to what the operator reads: the metadata without
 * managed fields, the status, and of the spec only each container's name and ports (the progress
 * port). Volumes, env, resources and the rest of the spec are dropped.
 */
public final class TrainerPodStore extends BasicItemStore<Pod> {
  public TrainerPodStore() {
    super(Cache::metaNamespaceKeyFunc);
  }

  @Override
  public Pod put(String key, Pod pod) {
    return super.put(key, trim(pod));
  }

  /** The pod without what the operator never reads (the informer hands over its own copy). */
  static Pod trim(Pod pod) {
    if (pod.getMetadata() != null) {
      pod.getMetadata().setManagedFields(null);
    }
    PodSpec spec = pod.getSpec();
    if (spec != null) {
      PodSpec kept = new PodSpec();
      if (spec.getContainers() != null) {
        kept.setContainers(
            spec.getContainers().stream()
                .map(
                    c -> {
                      Container small = new Container();
                      small.setName(c.getName());
                      small.setPorts(c.getPorts());
                      return small;
                    })
                .toList());
      }
      pod.setSpec(kept);
    }
    return pod;
  }
}
