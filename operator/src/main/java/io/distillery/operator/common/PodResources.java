package io.distillery.operator.common;

import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/** Container resources from a {@link ResourcesSpec}, the same for trainer and serving pods. */
public final class PodResources {
  private PodResources() {}

  /**
   * CPU as a request, memory as request and limit, GPUs as request = limit of the extended resource
   * ({@code spec.gpuResourceName}, else {@code defaultGpuResource}).
   */
  public static ResourceRequirements of(ResourcesSpec r, String defaultGpuResource) {
    var resources = new ResourceRequirementsBuilder();
    if (r != null) {
      if (r.cpu != null) {
        resources.addToRequests("cpu", r.cpu);
      }
      if (r.memory != null) {
        resources.addToRequests("memory", r.memory).addToLimits("memory", r.memory);
      }
      if (r.gpusOrZero() > 0) {
        String gpu = r.gpuResourceName != null ? r.gpuResourceName : defaultGpuResource;
        Quantity count = new Quantity(Integer.toString(r.gpus));
        resources.addToRequests(gpu, count).addToLimits(gpu, count);
      }
    }
    return resources.build();
  }
}
