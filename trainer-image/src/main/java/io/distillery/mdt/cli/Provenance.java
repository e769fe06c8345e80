package io.distillery.mdt.cli;

import ai.djl.Device;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import io.distillery.mdt.storage.RemoteRun;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** How an output was made, recorded next to it. */
final class Provenance {
  private Provenance() {}

  /** The full command line as typed, e.g. {@code mdt train-teacher --steps 600}. */
  static String commandLine(CommandSpec spec) {
    return "mdt " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
  }

  /** What every artifact records about its making: command line, date and device. */
  static Map<String, Object> of(CommandSpec spec, Device device) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("command", commandLine(spec));
    p.put("date", Instant.now().toString());
    if (device != null) {
      p.put("device", device.toString());
    }
    return p;
  }

  /** The env var the operator sets to the trainer's container image. */
  static final String IMAGE_ENV = "DISTILLERY_IMAGE";

  /**
   * {@link #of(CommandSpec, Device)} plus the image ({@value #IMAGE_ENV}, when set) and the full
   * effective config: run-specific (output paths, device), so outside the artifact digest.
   */
  static Map<String, Object> of(CommandSpec spec, Device device, TrainerConfig cfg) {
    Map<String, Object> p = of(spec, device);
    String image = image(System.getenv());
    if (image != null) {
      p.put("image", image);
    }
    p.put("config", TrainerConfigs.json().valueToTree(cfg));
    return p;
  }

  /**
   * {@link #of(CommandSpec, Device, TrainerConfig)} plus the object-storage endpoint a run uses
   * (its URIs are in the config; credentials are never recorded).
   */
  static Map<String, Object> of(
      CommandSpec spec, Device device, TrainerConfig cfg, RemoteRun remote) {
    Map<String, Object> p = of(spec, device, cfg);
    remote.endpoint().ifPresent(e -> p.put("objectStorage", e));
    return p;
  }

  /** The image the operator names in {@value #IMAGE_ENV}; null when unset or blank. */
  static String image(Map<String, String> env) {
    String image = env.get(IMAGE_ENV);
    return image == null || image.isBlank() ? null : image.strip();
  }
}
