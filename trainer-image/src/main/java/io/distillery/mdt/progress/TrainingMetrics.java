package io.distillery.mdt.progress;

import io.distillery.config.TrainerProgress;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Prometheus metrics of a training run (Prometheus Java client): {@code mdt_training_step}, {@code
 * mdt_training_max_steps}, {@code mdt_training_loss{loss="fm"|"vm"|...}}, {@code
 * mdt_training_samples_per_second}, {@code mdt_training_eta_seconds} and the counter {@code
 * mdt_training_samples_total}.
 */
public final class TrainingMetrics implements TrainingMonitor {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge step = gauge("mdt_training_step", "Optimizer steps completed.");
  private final Gauge maxSteps = gauge("mdt_training_max_steps", "Optimizer steps planned.");
  private final Gauge samplesPerSecond =
      gauge("mdt_training_samples_per_second", "Training samples per second.");
  private final Gauge eta = gauge("mdt_training_eta_seconds", "Estimated seconds to finish.");
  private final Gauge loss =
      Gauge.builder()
          .name("mdt_training_loss")
          .help("Latest value of each training loss.")
          .labelNames("loss")
          .register(registry);
  private final Counter samples =
      Counter.builder()
          .name("mdt_training_samples_total")
          .help("Training samples processed by this process.")
          .register(registry);
  private final int batchSize;
  private long lastStep = -1;

  public TrainingMetrics(int batchSize) {
    this.batchSize = batchSize;
  }

  private Gauge gauge(String name, String help) {
    return Gauge.builder().name(name).help(help).register(registry);
  }

  @Override
  public synchronized void update(TrainerProgress p) {
    if (lastStep >= 0 && p.step > lastStep) {
      samples.inc((double) (p.step - lastStep) * batchSize);
    } else if (lastStep < 0) {
      samples.inc(batchSize);
    }
    lastStep = p.step;
    step.set(p.step);
    maxSteps.set(p.maxSteps);
    for (Map.Entry<String, Double> e : p.losses.entrySet()) {
      loss.labelValues(e.getKey()).set(e.getValue());
    }
    if (p.samplesPerSec != null) {
      samplesPerSecond.set(p.samplesPerSec);
    }
    if (p.etaSeconds != null) {
      eta.set(p.etaSeconds);
    }
  }

  /** The Prometheus text exposition of all metrics. */
  public synchronized String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
