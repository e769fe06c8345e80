package io.distillery.operator.common;

import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/**
 * Operator-wide settings from {@code application.properties} or the environment (e.g. {@code
 * DISTILLERY_TRAINER_IMAGE}). A CDI bean ({@link OperatorSettingsProducer}) injected into the
 * reconcilers, which hand it to their dependents through the reconcile's context: nothing static,
 * so several operators with different settings can run in one JVM.
 *
 * @param trainerImage default image running {@code mdt distill}
 * @param imagePullPolicy pull policy of the trainer image
 * @param gpuResourceName default extended-resource name of GPUs
 * @param progressInterval how often a running job's {@code /progress} is read
 * @param progressTimeout timeout of one {@code /progress} request (connect and read)
 * @param staleAfter progress older than this is marked stale
 * @param retryMin first delay before re-checking a blocked job (missing claim)
 * @param retryMax longest delay between such checks
 */
public record OperatorSettings(
    String trainerImage,
    String imagePullPolicy,
    String gpuResourceName,
    Duration progressInterval,
    Duration progressTimeout,
    Duration staleAfter,
    Duration retryMin,
    Duration retryMax) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        "ghcr.io/distillery/mdt:0.1.0",
        "IfNotPresent",
        "nvidia.com/gpu",
        Duration.ofSeconds(15),
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5));
  }

  public static OperatorSettings fromConfig(Config config) {
    OperatorSettings d = defaults();
    return new OperatorSettings(
        config.getOptionalValue("distillery.trainer.image", String.class).orElse(d.trainerImage),
        config
            .getOptionalValue("distillery.trainer.image-pull-policy", String.class)
            .orElse(d.imagePullPolicy),
        config
            .getOptionalValue("distillery.gpu-resource-name", String.class)
            .orElse(d.gpuResourceName),
        config
            .getOptionalValue("distillery.progress.interval", Duration.class)
            .orElse(d.progressInterval),
        config
            .getOptionalValue("distillery.progress.timeout", Duration.class)
            .orElse(d.progressTimeout),
        config
            .getOptionalValue("distillery.progress.stale-after", Duration.class)
            .orElse(d.staleAfter),
        config.getOptionalValue("distillery.retry.min", Duration.class).orElse(d.retryMin),
        config.getOptionalValue("distillery.retry.max", Duration.class).orElse(d.retryMax));
  }
}
