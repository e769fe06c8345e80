package io.distillery.operator.common;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Replaces the Quarkus Operator SDK's default JOSDK metrics (per resource) with {@link
 * ReconcileMetrics}; Quarkus applies the filter to every registry it creates.
 */
@Singleton
public class ReconcileMetricsProducer {
  @Produces
  @Singleton
  Metrics josdkMetrics(MeterRegistry registry) {
    return ReconcileMetrics.josdk(registry);
  }

  @Produces
  @Singleton
  MeterFilter executionTimersAsHistograms() {
    return ReconcileMetrics.executionTimersAsHistograms();
  }

  @Produces
  @Singleton
  MeterFilter scrapeLint() {
    return ScrapeLint.filter();
  }
}
