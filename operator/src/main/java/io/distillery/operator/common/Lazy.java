package io.distillery.operator.common;

import java.util.function.Supplier;

/**
 * A value computed on first use and kept: the workflow asks for it from several threads at once
 * (dependents of one level run in parallel), so the first caller computes and the others wait.
 */
public final class Lazy<T> implements Supplier<T> {
  private Supplier<? extends T> compute;
  private T value;

  private Lazy(Supplier<? extends T> compute) {
    this.compute = compute;
  }

  public static <T> Lazy<T> of(Supplier<? extends T> compute) {
    return new Lazy<>(compute);
  }

  @Override
  public synchronized T get() {
    if (compute != null) {
      value = compute.get();
      compute = null;
    }
    return value;
  }
}
