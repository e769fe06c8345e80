package io.distillery.mdt.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * The number format a built-in network computes in (config {@code hyperparameters.precision}). The
 * built-in transformers compute in the type of their weights: inputs are narrowed to it at entry
 * and the result widened back to float32, so callers always see float32 (docs/architecture.md,
 * "Mixed precision").
 *
 * <p>Why fp16 and not bf16: DJL 0.36's PyTorch bridge has no bfloat16 type (its JNI maps none, and
 * a cast to it aborts the JVM), so float16 with loss scaling is what DJL supports best.
 */
public enum Precision {
  FP32(DataType.FLOAT32),
  FP16(DataType.FLOAT16);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  public DataType dataType() {
    return dataType;
  }

  /** The config spelling, {@code fp32} or {@code fp16}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The precision of a validated config's {@code hyperparameters.precision}. */
  public static Precision of(String configName) {
    for (Precision p : values()) {
      if (p.configName().equals(configName)) {
        return p;
      }
    }
    throw new IllegalArgumentException("precision must be fp32 or fp16, got '" + configName + "'");
  }

  /**
   * {@code a} in {@code type}, without recording a gradient (DJL's casts never do): for inputs and
   * constants, which need none.
   */
  public static NDArray narrow(NDArray a, DataType type) {
    return a.getDataType() == type ? a : a.toType(type, false);
  }

  /**
   * {@code a} as float32 with its gradient path kept: DJL's cast runs under no-grad, so the
   * widening is an addition of a float32 zero, which PyTorch's type promotion makes float32 and
   * whose backward hands the gradient to {@code a} in {@code a}'s own type.
   */
  public static NDArray widen(NDArray a) {
    if (a.getDataType() == DataType.FLOAT32) {
      return a;
    }
    // A PyTorch-allocated constant (see Scalars): autograd may keep it until backward.
    try (NDArray zero = a.getManager().zeros(new Shape(1), DataType.FLOAT32)) {
      return a.add(zero);
    }
  }
}
