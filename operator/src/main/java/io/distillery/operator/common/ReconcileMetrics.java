package io.distillery.operator.common;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;

/**
 * How JOSDK's reconcile metrics are recorded. Aggregated per controller and resource kind, never
 * per resource: JOSDK's per-resource series (a name label on every counter and a ~70-bucket
 * histogram per resource) grow with the number of resources, survive their deletion and ran the
 * operator out of heap at 2,000 jobs. The reconcile-time timers become plain histograms with a few
 * fixed buckets and help text: JOSDK also publishes client-side quantiles on them, which strict
 * text-format parsers reject on a histogram.
 */
public final class ReconcileMetrics {
  static final String PREFIX = "operator.sdk.";

  /** JOSDK's timers ({@code operator_sdk_controllers_execution_reconcile_seconds}, ...cleanup). */
  static final String EXECUTION_TIMERS = "operator.sdk.controllers.execution.";

  static final String EXECUTION_HELP = "Time one reconcile (or cleanup) of a controller took";

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
  };

  private ReconcileMetrics() {}

  /** JOSDK's Micrometer metrics on {@code registry}, without per-resource labels. */
  public static Metrics josdk(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  /**
   * Turns JOSDK's reconcile-time timers into histograms with fixed buckets, and gives JOSDK's
   * meters the help text they lack.
   */
  public static MeterFilter executionTimersAsHistograms() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(PREFIX) || id.getDescription() != null) {
          return id;
        }
        return new Meter.Id(
            id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help(id), id.getType());
      }

      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (!isExecutionTimer(id)) {
          return config;
        }
        double[] nanos = new double[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
          nanos[i] = BUCKETS[i].toNanos();
        }
        return DistributionStatisticConfig.builder()
            .percentiles()
            .percentilesHistogram(false)
            .serviceLevelObjectives(nanos)
            .build()
            .merge(config);
      }
    };
  }

  static String help(Meter.Id id) {
    String name = id.getName();
    if (isExecutionTimer(id)) {
      return EXECUTION_HELP;
    } else if (name.startsWith(EXECUTION_TIMERS) && name.endsWith(".success")) {
      return "Reconciles (or cleanups) of a controller that succeeded, by outcome";
    } else if (name.startsWith(EXECUTION_TIMERS) && name.endsWith(".failure")) {
      return "Reconciles (or cleanups) of a controller that threw, by exception";
    }
    return switch (name) {
      case "operator.sdk.events.received" -> "Events received for primary resources";
      case "operator.sdk.events.delete" -> "Cleanups done for deleted primary resources";
      case "operator.sdk.reconciliations.started" -> "Reconciles started, by retry attempt";
      case "operator.sdk.reconciliations.success" -> "Reconciles that finished";
      case "operator.sdk.reconciliations.failed" -> "Reconciles that failed, by exception";
      default -> "Java Operator SDK: " + name.substring(PREFIX.length());
    };
  }

  private static boolean isExecutionTimer(Meter.Id id) {
    return id.getType() == Meter.Type.TIMER && id.getName().startsWith(EXECUTION_TIMERS);
  }
}
