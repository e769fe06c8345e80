package io.distillery.mdt.serve;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.distillery.config.InvalidConfigException;
import io.distillery.mdt.model.Devices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The devices {@code mdt serve} puts its model replicas on: one per device {@link
 * Devices#resolveAll} gives (every visible GPU, or the CPU once), or {@code --replicas} of them. A
 * refusal names what was found: the GPU count, the libtorch and the NVIDIA driver.
 */
final class ServingDevices {
  /** Where the kernel module reports the driver's version; absent without an NVIDIA driver. */
  static final Path DRIVER_VERSION = Path.of("/proc/driver/nvidia/version");

  private ServingDevices() {}

  /** One entry per replica, in order; an invalid choice throws {@link InvalidConfigException}. */
  static List<Device> forReplicas(String choice, int replicas) {
    List<Device> all;
    try {
      all = Devices.resolveAll(choice);
    } catch (InvalidConfigException e) {
      throw new InvalidConfigException(e.getMessage() + "; found: " + found());
    }
    if (replicas == 0) {
      return all;
    }
    if (all.get(0).isGpu()) {
      if (replicas > all.size()) {
        throw new InvalidConfigException(
            "--replicas "
                + replicas
                + " asks for more model replicas than the "
                + all.size()
                + " visible GPU(s); found: "
                + found());
      }
      return all.subList(0, replicas);
    }
    return new ArrayList<>(Collections.nCopies(replicas, Device.cpu()));
  }

  /** Metrics labels: {@code gpu<id>} for a GPU, {@code cpu<replica index>} on the CPU. */
  static List<String> labels(List<Device> devices) {
    List<String> labels = new ArrayList<>(devices.size());
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      labels.add(d.isGpu() ? "gpu" + d.getDeviceId() : "cpu" + i);
    }
    return labels;
  }

  /** "0 GPU(s) visible to libtorch 2.7.1 (…/2.7.1-cpu-linux-x86_64); NVIDIA driver: none". */
  static String found() {
    String torch;
    try {
      Engine e = Engine.getEngine("PyTorch");
      torch = e.getGpuCount() + " GPU(s) visible to libtorch " + e.getVersion() + libtorchDir();
    } catch (RuntimeException | LinkageError e) {
      torch = "the PyTorch engine did not load (" + e.getMessage() + ")";
    }
    return torch
        + "; NVIDIA driver: "
        + driver()
        + "; CUDA_VISIBLE_DEVICES="
        + String.valueOf(System.getenv("CUDA_VISIBLE_DEVICES"));
  }

  private static String libtorchDir() {
    try {
      return " at " + ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
    } catch (RuntimeException | LinkageError e) {
      return "";
    }
  }

  /** The first line of the driver's version file, or why there is none. */
  static String driver() {
    try {
      List<String> lines = Files.readAllLines(DRIVER_VERSION);
      return lines.isEmpty() ? "unknown (" + DRIVER_VERSION + " empty)" : lines.get(0).strip();
    } catch (IOException e) {
      return "none (" + DRIVER_VERSION + " not readable)";
    }
  }
}
