package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.distillery.config.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

/** The {@code device} option: {@code auto} (GPU when DJL finds one), {@code cpu} or {@code gpu}. */
public final class Devices {
  private Devices() {}

  /** The one device the choice means: the first GPU for {@code gpu} (or {@code auto} with one). */
  public static Device resolve(String choice) {
    return resolveAll(choice).get(0);
  }

  /**
   * Every device the choice means: all GPUs the engine sees (the container's runtime decides which,
   * from the pod's GPU request) for {@code gpu}, or {@code auto} when there is one; otherwise the
   * CPU, once. Data-parallel training and serving put one replica on each.
   */
  public static List<Device> resolveAll(String choice) {
    int gpus = Engine.getInstance().getGpuCount();
    return switch (choice == null ? "auto" : choice) {
      case "auto" -> gpus > 0 ? allGpus(gpus) : List.of(Device.cpu());
      case "cpu" -> List.of(Device.cpu());
      case "gpu" -> {
        if (gpus == 0) {
          throw new InvalidConfigException(
              "device: gpu was requested but the PyTorch engine finds no CUDA device"
                  + " (use --device cpu or auto, or run the CUDA image on a GPU node)");
        }
        yield allGpus(gpus);
      }
      default ->
          throw new InvalidConfigException(
              "device: must be auto, cpu or gpu, got '" + choice + "'");
    };
  }

  private static List<Device> allGpus(int count) {
    List<Device> devices = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      devices.add(Device.gpu(i));
    }
    return List.copyOf(devices);
  }
}
