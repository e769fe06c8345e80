package io.distillery.operator.distillation;

import io.distillery.operator.common.WithoutManagedFields;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The trainer pods' informer cache, trimmed to what the operator reads: the metadata without
 * managed fields, the status, and of the spec only each container's name and ports (the progress
 * port). Volumes, env, resources and the rest of the spec are dropped.
 */
public final class TrainerPodStore extends WithoutManagedFields<Pod> {
  @Override
  protected Pod trim(Pod pod) {
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
