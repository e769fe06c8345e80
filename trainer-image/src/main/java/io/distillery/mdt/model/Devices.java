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
              "device: gpu was requested but the PyTorch engine finds 0 CUDA devices"
                  + " (use --device cpu or auto, or run the CUDA image on a GPU node)");
        }
        yield allGpus(gpus);
      }
      default ->
          throw new InvalidConfigException(
              "device: must be auto, cpu or gpu, got '" + choice + "'");
    };
  }

  /**
   * The devices of data-parallel training, one replica each, master first: for {@code replicas} 0
   * every device {@link #resolveAll} gives; otherwise that many, either the first GPUs (failing
   * when fewer are visible) or, on the CPU, the CPU that many times (replicas run in turn, which
   * proves the data-parallel step equals the single-device one without a GPU).
   *
   * @throws InvalidConfigException naming the device count found when the request cannot be met or
   *     the global batch is smaller than the device count
   */
  public static List<Device> forTraining(String choice, int replicas, int batchSize) {
    List<Device> visible = resolveAll(choice);
    List<Device> chosen;
    if (replicas <= 0) {
      chosen = visible;
    } else if (!visible.get(0).isGpu()) {
      chosen = java.util.Collections.nCopies(replicas, visible.get(0));
    } else if (replicas > visible.size()) {
      throw new InvalidConfigException(
          "replicas: "
              + replicas
              + " GPUs requested but the PyTorch engine finds "
              + visible.size()
              + " CUDA device(s) "
              + visible
              + " (request at most that many, or give the pod more GPUs)");
    } else {
      chosen = visible.subList(0, replicas);
    }
    if (batchSize < chosen.size()) {
      throw new InvalidConfigException(
          "hyperparameters.batchSize: "
              + batchSize
              + " is smaller than the "
              + chosen.size()
              + " device(s) found "
              + chosen
              + "; each data-parallel replica needs at least one sample (raise batchSize to at"
              + " least "
              + chosen.size()
              + " or set replicas lower)");
    }
    return List.copyOf(chosen);
  }

  /**
   * The replica devices for a run whose master lives on {@code primary} (see {@link #forTraining}).
   */
  public static List<Device> forTraining(Device primary, int replicas, int batchSize) {
    return forTraining(primary.isGpu() ? "gpu" : "cpu", replicas, batchSize);
  }

  private static List<Device> allGpus(int count) {
    List<Device> devices = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      devices.add(Device.gpu(i));
    }
    return List.copyOf(devices);
  }
}
