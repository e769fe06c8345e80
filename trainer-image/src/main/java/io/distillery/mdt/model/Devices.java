package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.distillery.config.InvalidConfigException;

/** The {@code device} option: {@code auto} (GPU when DJL finds one), {@code cpu} or {@code gpu}. */
public final class Devices {
  private Devices() {}

  public static Device resolve(String choice) {
    int gpus = Engine.getInstance().getGpuCount();
    return switch (choice == null ? "auto" : choice) {
      case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
      case "cpu" -> Device.cpu();
      case "gpu" -> {
        if (gpus == 0) {
          throw new InvalidConfigException(
              "device: gpu was requested but the PyTorch engine finds no CUDA device"
                  + " (use --device cpu or auto, or run the CUDA image on a GPU node)");
        }
        yield Device.gpu();
      }
      default ->
          throw new InvalidConfigException(
              "device: must be auto, cpu or gpu, got '" + choice + "'");
    };
  }
}
