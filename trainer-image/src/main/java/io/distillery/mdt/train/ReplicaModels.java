package io.distillery.mdt.train;

import ai.djl.Device;
import io.distillery.mdt.model.VelocityModel;
import io.distillery.mdt.model.Weights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One model per data-parallel replica, replica order (the first is the master); closes them all.
 */
public final class ReplicaModels implements AutoCloseable {
  private final List<VelocityModel> models;

  private ReplicaModels(List<VelocityModel> models) {
    this.models = List.copyOf(models);
  }

  /** Something that makes a model on a device. */
  @FunctionalInterface
  public interface Factory {
    VelocityModel on(Device device) throws IOException;
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
    return new ReplicaModels(made);
  }

  public List<VelocityModel> models() {
    return models;
  }

  public VelocityModel master() {
    return models.get(0);
  }

  public List<Weights> weights() {
    return models.stream().map(VelocityModel::weights).toList();
  }

  @Override
  public void close() {
    models.forEach(VelocityModel::close);
  }
}
