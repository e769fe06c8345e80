package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered set of named tensors (model parameters, Adam moments, EMA shadows). Either owns its
 * arrays (they live in its own manager, closed with it) or is a view over arrays someone else owns
 * (a TorchScript module's parameters).
 */
public final class Weights implements AutoCloseable {
  private static final NDIndex ALL = new NDIndex("...");

  private final NDManager manager;
  private final boolean owning;
  private final Map<String, NDArray> arrays = new LinkedHashMap<>();

  private Weights(NDManager manager, boolean owning) {
    this.manager = manager;
    this.owning = owning;
  }

  /** An empty owning set whose arrays live on {@code device}. */
  public static Weights create(Device device) {
    return new Weights(NDManager.newBaseManager(device), true);
  }

  /** A view over arrays owned elsewhere; closing the view leaves them alone. */
  public static Weights view(Map<String, NDArray> arrays) {
    NDArray first = arrays.values().iterator().next();
    Weights w = new Weights(first.getManager(), false);
    w.arrays.putAll(arrays);
    return w;
  }

  /** Adds (or replaces) an array; an owning set takes ownership of it. */
  public NDArray put(String name, NDArray array) {
    if (owning) {
      array.attach(manager);
    }
    array.setName(name);
    NDArray old = arrays.put(name, array);
    if (old != null && owning && old != array) {
      old.close();
    }
    return array;
  }

  public NDArray get(String name) {
    NDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "'");
    }
    return a;
  }

  public Map<String, NDArray> asMap() {
    return Collections.unmodifiableMap(arrays);
  }

  public NDManager manager() {
    return manager;
  }

  public Device device() {
    return manager.getDevice();
  }

  /** Marks every array as a leaf that collects gradients (or not). */
  public void requireGradients(boolean on) {
    for (NDArray a : arrays.values()) {
      a.setRequiresGradient(on);
    }
  }

  public long parameterCount() {
    long n = 0;
    for (NDArray a : arrays.values()) {
      n += a.size();
    }
    return n;
  }

  /** A deep copy (owning, same device), e.g. the student's start from the teacher's weights. */
  public Weights copy() {
    Weights w = create(device());
    try (NoGrad ignored = NoGrad.enter()) {
      arrays.forEach((k, v) -> w.put(k, v.duplicate()));
    }
    return w;
  }

  /** A deep copy (owning) on {@code target}, e.g. a data-parallel replica's start. */
  public Weights copyTo(Device target) {
    Weights w = create(target);
    try (NoGrad ignored = NoGrad.enter()) {
      arrays.forEach(
          (k, v) ->
              w.put(k, v.getDevice().equals(target) ? v.duplicate() : v.toDevice(target, true)));
    }
    return w;
  }

  /**
   * A deep copy (owning) on {@code target} in {@code type}: a mixed-precision compute replica of
   * float32 master weights ({@link Precision}).
   */
  public Weights copyTo(Device target, DataType type) {
    Weights w = create(target);
    try (NoGrad ignored = NoGrad.enter()) {
      arrays.forEach(
          (k, v) -> {
            NDArray onDevice = v.toDevice(target, false);
            NDArray cast = onDevice.toType(type, true);
            if (onDevice != v) {
              onDevice.close();
            }
            w.put(k, cast);
          });
    }
    return w;
  }

  /** The type of the arrays (a set holds one type). */
  public DataType dataType() {
    return arrays.values().iterator().next().getDataType();
  }

  /** An owning set of zeros with the same names and shapes (optimizer moments). */
  public Weights zerosLike() {
    Weights w = create(device());
    arrays.forEach((k, v) -> w.put(k, w.manager.zeros(v.getShape(), v.getDataType())));
    return w;
  }

  /** Overwrites every array in place with the values of {@code other} (same names and shapes). */
  public void copyFrom(Weights other) {
    checkCompatible(other, "copy");
    try (NoGrad ignored = NoGrad.enter()) {
      for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
        NDArray src = other.get(e.getKey());
        NDArray onDevice = src.toDevice(e.getValue().getDevice(), true);
        // In the target's type: float32 master weights into a float16 compute replica.
        NDArray typed = onDevice.toType(e.getValue().getDataType(), false);
        if (typed != onDevice) {
          onDevice.close();
        }
        // An in-place tensor copy (index_put_ over "..."): keeps the array's identity (a
        // TorchScript module holds it). NDArray.set(float[]) is avoided on purpose: on the CPU
        // DJL makes the tensor wrap a Java direct buffer that the GC later frees.
        e.getValue().set(ALL, typed);
        if (typed != src) {
          typed.close();
        }
      }
    }
  }

  /** Fails naming the first array whose name or shape differs. */
  public void checkCompatible(Weights other, String what) {
    if (!arrays.keySet().equals(other.arrays.keySet())) {
      throw new IncompatibleWeightsException(
          what
              + ": tensor names differ; expected "
              + arrays.keySet()
              + ", got "
              + other.arrays.keySet());
    }
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      if (!e.getValue().getShape().equals(other.get(e.getKey()).getShape())) {
        throw new IncompatibleWeightsException(
            what
                + ": tensor '"
                + e.getKey()
                + "' has shape "
                + other.get(e.getKey()).getShape()
                + ", expected "
                + e.getValue().getShape());
      }
    }
  }

  /** Writes all arrays as a safetensors file. */
  public void save(Path file) throws IOException {
    NDList list = new NDList();
    for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
      NDArray a = e.getValue();
      a.setName(e.getKey());
      list.add(a);
    }
    try (OutputStream os = Files.newOutputStream(file)) {
      list.encode(os, NDList.Encoding.SAFETENSORS);
    }
  }

  /** Reads a file written by {@link #save} onto {@code device}. */
  public static Weights load(Path file, Device device) throws IOException {
    Weights w = create(device);
    try (InputStream is = Files.newInputStream(file)) {
      NDList list = NDList.decode(w.manager, is);
      for (NDArray a : list) {
        NDArray onDevice = a.toDevice(device, false);
        w.put(a.getName(), onDevice);
      }
    } catch (RuntimeException e) {
      w.close();
      throw new IOException("cannot read tensors from " + file + ": " + e.getMessage(), e);
    }
    return w;
  }

  @Override
  public void close() {
    if (owning) {
      manager.close();
    }
  }

  /** Two weight sets do not match (a checkpoint or artifact from another architecture). */
  public static final class IncompatibleWeightsException extends RuntimeException {
    public IncompatibleWeightsException(String message) {
      super(message);
    }
  }
}
