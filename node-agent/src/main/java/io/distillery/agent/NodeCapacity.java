package io.distillery.agent;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/** What the agent's node offers the scheduler: its allocatable CPU, memory and pod count. */
public record NodeCapacity(String cpu, String memory, int pods) {
  /** The capacity the tests' agent node has always had. */
  public static final NodeCapacity DEFAULT = new NodeCapacity("8", "32Gi", 20);

  public NodeCapacity {
    // Parsing here turns a typo (e.g. "4 Gi") into an error at start, not a node nobody fits on.
    requireQuantity("cpu", cpu);
    requireQuantity("memory", memory);
    if (pods < 1) {
      throw new IllegalArgumentException("pods must be at least 1, got " + pods);
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
    return Map.of(
        "cpu", new Quantity(cpu),
        "memory", new Quantity(memory),
        "pods", new Quantity(Integer.toString(pods)));
  }
}
