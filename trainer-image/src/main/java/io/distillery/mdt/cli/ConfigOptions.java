package io.distillery.mdt.cli;

import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfigs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every training command shares: the config file, {@code --set} overrides and a few
 * direct shortcuts, applied in that order and validated together (an unknown key names itself).
 */
public final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Trainer config (YAML or JSON; the file the operator mounts). Without it, every field"
              + " has its built-in default.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override one config field by its dotted path, e.g. --set hyperparameters.batchSize=48"
              + " (repeatable; applied after --config).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Output directory (config output.dir; built-in default: out).")
  String out;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description = "Optimizer steps (config hyperparameters.maxSteps; built-in default: 600).")
  Integer steps;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Seed of initialisation, batches and noise (config hyperparameters.seed; built-in default: 42).")
  Long seed;

  @Option(
      names = "--device",
      paramLabel = "auto|cpu|gpu",
      description =
          "Compute device; auto takes a GPU when DJL finds one (config device; built-in default: auto).")
  String device;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      description =
          "Data-parallel replicas, one per device, sharing each step's batch; 0 means one per visible GPU (or one on the CPU); N on the CPU runs N replicas in turn (config replicas; built-in default: 0).")
  Integer replicas;

  @Option(
      names = "--precision",
      paramLabel = "fp32|fp16",
      description =
          "Number format of the network's forward and backward passes: fp16 computes in float16 over float32 master weights with loss scaling, for GPUs (config hyperparameters.precision; built-in default: fp32).")
  String precision;

  @Option(
      names = "--progress-port",
      paramLabel = "PORT",
      description =
          "Port of /progress and /metrics during training, 0 to disable (config progressPort; built-in default: 8080).")
  Integer progressPort;

  /** The effective configuration, validated. */
  public TrainerConfig load() {
    return load(Map.of());
  }

  /**
   * The effective configuration, where a command's own defaults replace the built-in ones when no
   * --config file is given (a file states everything it wants); --set and the shortcuts still apply
   * on top. Validated.
   */
  public TrainerConfig load(Map<String, String> commandDefaults) {
    Map<String, String> all = new LinkedHashMap<>(overrides);
    if (out != null) all.put("output.dir", out);
    if (steps != null) all.put("hyperparameters.maxSteps", steps.toString());
    if (seed != null) all.put("hyperparameters.seed", seed.toString());
    if (device != null) all.put("device", device);
    if (replicas != null) all.put("replicas", replicas.toString());
    if (precision != null) all.put("hyperparameters.precision", precision);
    if (progressPort != null) all.put("progressPort", progressPort.toString());
    return TrainerConfigs.validated(TrainerConfigs.load(config, commandDefaults, all));
  }
}
