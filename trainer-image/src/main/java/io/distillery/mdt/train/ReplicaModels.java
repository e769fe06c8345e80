package io.distillery.mdt.train;

import ai.djl.Device;
import io.distillery.mdt.model.Precision;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One model per data-parallel replica, replica order; the first is the master, or, in mixed
 * precision, the replicas are float16 copies of a separate float32 master. Closes them all.
 */
public final class ReplicaModels implements AutoCloseable {
  private final VelocityModel separateMaster;
  private final List<VelocityModel> models;

  private ReplicaModels(VelocityModel separateMaster, List<VelocityModel> models) {
    this.separateMaster = separateMaster;
    this.models = List.copyOf(models);
  }

  /** Something that makes a model on a device. */
  @FunctionalInterface
  public interface Factory {
    VelocityModel on(Device device) throws IOException;
  }

  /** Something that makes the same architecture over given weights, taking ownership of them. */
  @FunctionalInterface
  public interface Rebuild {
    VelocityModel over(Weights weights) throws IOException;
  }

  /** A model from {@code factory} on each device; what was made is closed if one fails. */
  public static ReplicaModels on(List<Device> devices, Factory factory) throws IOException {
    List<VelocityModel> made = new ArrayList<>(devices.size());
    try {
      for (Device d : devices) {
        made.add(factory.on(d));
      }
    } catch (IOException | RuntimeException e) {
      made.forEach(VelocityModel::close);
      throw e;
    }
    return new ReplicaModels(null, made);
  }

  /**
   * In float32, as {@link #on(List, Factory)}. In float16, one float32 master from {@code factory}
   * on the first device and, by {@code rebuild}, a float16 copy of its weights on every device.
   */
  public static ReplicaModels on(
      List<Device> devices, Precision precision, Factory factory, Rebuild rebuild)
      throws IOException {
    if (precision == Precision.FP32) {
      return on(devices, factory);
    }
    VelocityModel master = factory.on(devices.get(0));
    List<VelocityModel> made = new ArrayList<>(devices.size());
    try {
      for (Device d : devices) {
        made.add(rebuild.over(master.weights().copyTo(d, precision.dataType())));
      }
    } catch (IOException | RuntimeException e) {
      made.forEach(VelocityModel::close);
      master.close();
      throw e;
    }
    return new ReplicaModels(master, made);
  }

  /** The models that compute, one per device. */
  public List<VelocityModel> models() {
    return models;
  }

  /** The model whose weights are optimised (float32). */
  public VelocityModel master() {
    return separateMaster != null ? separateMaster : models.get(0);
  }

  /** The weights of the models that compute, one set per device. */
  public List<Weights> weights() {
    return models.stream().map(VelocityModel::weights).toList();
  }

  /** A training loop's constructor arguments: the optimised weights and the computing ones. */
  public TrainingLoop loop(TrainingLoop.Settings settings) {
    return new TrainingLoop(settings, master().weights(), weights());
  }

  @Override
  public void close() {
    models.forEach(VelocityModel::close);
    if (separateMaster != null) {
      separateMaster.close();
    }
  }
}
