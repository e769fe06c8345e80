package io.distillery.agent;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the agent's node offers the scheduler: its allocatable CPU, memory, pod count and GPUs
 * ({@code nvidia.com/gpu}). The GPUs are played by the CPU: a trainer pod that asks for some is
 * scheduled here and trains on the CPU ({@link Entrypoints}), so GPU quota (Kueue) can be tested on
 * a machine without one.
 */
public record NodeCapacity(String cpu, String memory, int pods, int gpus) {
  /** The extended resource the GPUs are advertised as (the operator's default). */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  /** The capacity the tests' agent node has: 8 CPUs, 32Gi, 20 pods and 8 GPUs. */
  public static final NodeCapacity DEFAULT = new NodeCapacity("8", "32Gi", 20, 8);

  /** Without GPUs. */
  public NodeCapacity(String cpu, String memory, int pods) {
    this(cpu, memory, pods, 0);
  }

  public NodeCapacity {
    // Parsing here turns a typo (e.g. "4 Gi") into an error at start, not a node nobody fits on.
    requireQuantity("cpu", cpu);
    requireQuantity("memory", memory);
    if (pods < 1) {
      throw new IllegalArgumentException("pods must be at least 1, got " + pods);
    }
    if (gpus < 0) {
      throw new IllegalArgumentException("gpus must not be negative, got " + gpus);
    }
  }

  private static void requireQuantity(String name, String value) {
    try {
      if (Quantity.getAmountInBytes(new Quantity(value)).signum() <= 0) {
        throw new IllegalArgumentException("not positive");
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name + " " + value + " is not a positive Kubernetes quantity (e.g. 2, 500m, 4Gi)", e);
    }
  }

  Map<String, Quantity> asResources() {
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(cpu));
    resources.put("memory", new Quantity(memory));
    resources.put("pods", new Quantity(Integer.toString(pods)));
    if (gpus > 0) {
      resources.put(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
    }
    return resources;
  }
}
