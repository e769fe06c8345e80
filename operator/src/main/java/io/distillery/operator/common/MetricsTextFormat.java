package io.distillery.operator.common;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes {@code /q/metrics} answer in the Prometheus text format (0.0.4) unless the scraper asks for
 * OpenMetrics. Quarkus answers OpenMetrics to a request without an Accept header or with {@code
 * *}{@code /*} (curl, most tools), and older promtool versions cannot read it. Long-task timers
 * (only Quarkus's {@code http_server_connections_seconds}) are left out: the Prometheus registry
 * writes them as a summary with {@code _active_count} and {@code _duration_sum} samples, which no
 * strict parser accepts.
 */
@Singleton
public class MetricsTextFormat {
  static final String PATH = "/q/metrics";
  static final String OPENMETRICS = "application/openmetrics-text";

  void register(@Observes Filters filters) {
    filters.register(MetricsTextFormat::preferText, 100);
  }

  @Produces
  @Singleton
  MeterFilter noLongTaskTimers() {
    return MeterFilter.deny(id -> id.getType() == Meter.Type.LONG_TASK_TIMER);
  }

  static void preferText(RoutingContext rc) {
    if (PATH.equals(rc.normalizedPath())) {
      String accept = rc.request().getHeader("Accept");
      if (accept == null || !accept.contains(OPENMETRICS)) {
        rc.request().headers().set("Accept", "text/plain");
      }
    }
    rc.next();
  }
}
