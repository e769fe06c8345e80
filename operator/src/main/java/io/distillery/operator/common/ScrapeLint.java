package io.distillery.operator.common;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * Keeps /q/metrics free of what {@code promtool check metrics} reports in the meters Quarkus's own
 * binders register: Netty's and Vert.x's meters without help text get one naming their source, and
 * two JVM meters whose names break Prometheus's conventions ({@code process_cpu_time_ns_total}: a
 * unit abbreviation; {@code system_cpu_count}: a {@code _count} suffix on a gauge) are left out
 * ({@code process_cpu_usage} and the pod's CPU limit say the same). JOSDK's meters get theirs from
 * {@link ReconcileMetrics}.
 */
public final class ScrapeLint {
  static final Set<String> LEFT_OUT = Set.of("process.cpu.time", "system.cpu.count");

  private ScrapeLint() {}

  public static MeterFilter filter() {
    return new MeterFilter() {
      @Override
      public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
        return LEFT_OUT.contains(id.getName())
            ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
            : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
      }

      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getName().startsWith("operator.sdk.")
            || (id.getDescription() != null && !id.getDescription().isBlank())) {
          return id;
        }
        return new Meter.Id(
            id.getName(),
            Tags.of(id.getTags()),
            id.getBaseUnit(),
            help(id.getName()),
            id.getType());
      }
    };
  }

  /** Help text for a meter its library registered without one: its name, in words. */
  static String help(String name) {
    return name.replace('.', ' ') + " (registered without a description by its library)";
  }
}
