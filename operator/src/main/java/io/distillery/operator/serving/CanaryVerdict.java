package io.distillery.operator.serving;

import io.distillery.config.CanaryProbeReport;
import io.distillery.operator.api.v1alpha1.CanaryLatencyStatus;
import io.distillery.operator.api.v1alpha1.CanaryQualitySpec;
import io.distillery.operator.api.v1alpha1.CanaryQualityStatus;
import io.distillery.operator.api.v1alpha1.RolloutSpec.AnalysisSpec;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus.CanaryStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The canary verdict at the end of its analysis window: the error rate (always), the probe's
 * figures (with analysis.quality) and the p99 latency ratio (with analysis.maxLatencyRatio). Any
 * figure over its threshold fails it (the first one names the reason); without a failure, a probe
 * that measured nothing makes it inconclusive, which never promotes.
 */
final class CanaryVerdict {
  /** How long after the window the probe's report may still come before it counts as missing. */
  static final int REPORT_GRACE_SECONDS = 30;

  static final double LATENCY_QUANTILE = 0.99;

  // Reasons (the reason tag of distillery_student_rollouts_total, status.canary.reason).
  static final String PASSED = "passed";
  static final String ERROR_RATE = "error_rate";
  static final String EMPTY_RATE = "empty_rate";
  static final String ACCURACY_DROP = "accuracy_drop";
  static final String DISTANCE_RATIO = "distance_ratio";
  static final String LATENCY_RATIO = "latency_ratio";
  static final String INCONCLUSIVE = "inconclusive";
  static final String DEADLINE = "deadline";
  static final String MANUAL = "manual";

  enum Kind {
    PASSED,
    FAILED,
    INCONCLUSIVE
  }

  record Verdict(Kind kind, String reason, String why) {}

  private CanaryVerdict() {}

  /**
   * The verdict once the window is over; empty while the probe's report may still come (and no
   * figure failed yet). {@code countsRead}: the canary's counters were read just now.
   */
  static Optional<Verdict> judge(
      CanaryStatus c,
      AnalysisSpec a,
      boolean countsRead,
      Supplier<Optional<CanaryLatency>> latency,
      Instant now) {
    if (!countsRead) {
      return Optional.of(
          new Verdict(
              Kind.INCONCLUSIVE,
              INCONCLUSIVE,
              "the canary pods' /metrics could not be read at the end of analysis"));
    }
    List<String> reasons = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    if (c.errorRate > a.maxErrorRateOrDefault()) {
      reasons.add(ERROR_RATE);
      failures.add(
          fmt(
              "canary error rate %.4f (%d of %d requests) above maxErrorRate %s",
              c.errorRate, c.errors, c.requests, a.maxErrorRateOrDefault()));
    }
    String inconclusive = null;
    CanaryQualityStatus q = c.quality;
    if (a.quality != null && q != null) {
      boolean waiting =
          CanaryQualityStatus.PENDING.equals(q.state)
              || CanaryQualityStatus.RUNNING.equals(q.state);
      if (waiting) {
        Instant last =
            Instant.parse(c.analysisStartTime)
                .plusSeconds(a.windowOrDefault() + (long) REPORT_GRACE_SECONDS);
        if (now.isBefore(last)) {
          if (failures.isEmpty()) {
            return Optional.empty();
          }
        } else {
          q.state = CanaryQualityStatus.INCONCLUSIVE;
          q.message =
              "no probe report within windowSeconds + " + REPORT_GRACE_SECONDS + " s of the window";
        }
      }
      if (CanaryQualityStatus.MEASURED.equals(q.state)) {
        quality(q, a.quality, reasons, failures);
      } else if (CanaryQualityStatus.INCONCLUSIVE.equals(q.state)) {
        inconclusive = "probe inconclusive: " + q.message;
      }
    }
    if (a.maxLatencyRatio != null && c.latency != null) {
      latency(c.latency, a, latency.get(), reasons, failures);
    }
    String notes = notes(c);
    if (!failures.isEmpty()) {
      // Say what passed too: a canary rolled back on what it generates answered without errors.
      String errorsPassed =
          reasons.contains(ERROR_RATE)
              ? ""
              : fmt(
                  "; error rate %.4f over %d requests within maxErrorRate %s",
                  c.errorRate, c.requests, a.maxErrorRateOrDefault());
      return Optional.of(
          new Verdict(
              Kind.FAILED, reasons.get(0), String.join("; ", failures) + errorsPassed + notes));
    }
    if (inconclusive != null) {
      return Optional.of(new Verdict(Kind.INCONCLUSIVE, INCONCLUSIVE, inconclusive + notes));
    }
    return Optional.of(new Verdict(Kind.PASSED, PASSED, figures(c)));
  }

  private static void quality(
      CanaryQualityStatus q, CanaryQualitySpec spec, List<String> reasons, List<String> failures) {
    int probes = q.probes == null ? 0 : q.probes;
    if (q.emptyRate != null && q.emptyRate > spec.maxEmptyRateOrDefault()) {
      reasons.add(EMPTY_RATE);
      failures.add(
          fmt(
              "canary empty rate %.2f above maxEmptyRate %s (%d probes)",
              q.emptyRate, spec.maxEmptyRateOrDefault(), probes));
    }
    Double drop = q.accuracyDrop();
    if (drop != null && drop > spec.maxAccuracyDropOrDefault()) {
      reasons.add(ACCURACY_DROP);
      failures.add(
          fmt(
              "class accuracy drop %.2f (stable %.2f, canary %.2f) above maxAccuracyDrop %s (%d"
                  + " probes)",
              drop,
              q.stableClassAccuracy,
              q.classAccuracy,
              spec.maxAccuracyDropOrDefault(),
              probes));
    }
    if (q.distanceRatio != null && q.distanceRatio > spec.maxDistanceRatioOrDefault()) {
      reasons.add(DISTANCE_RATIO);
      failures.add(
          fmt(
              "distance ratio %.2f above maxDistanceRatio %s (%s features, %d probes)",
              q.distanceRatio, spec.maxDistanceRatioOrDefault(), q.features, probes));
    }
  }

  /** Measures the window's p99 of both tracks into {@code l}; a failure when over the ratio. */
  private static void latency(
      CanaryLatencyStatus l,
      AnalysisSpec a,
      Optional<CanaryLatency> read,
      List<String> reasons,
      List<String> failures) {
    if (l.canaryBaseline == null || l.stableBaseline == null) {
      return; // message set when the window began
    }
    if (read.isEmpty()) {
      l.message = "latency not judged: the pods' latency histograms could not be read at the end";
      return;
    }
    LatencyHistogram canary = read.get().canary().minus(LatencyHistogram.decode(l.canaryBaseline));
    LatencyHistogram stable = read.get().stable().minus(LatencyHistogram.decode(l.stableBaseline));
    l.canaryRequests = canary.count();
    l.stableRequests = stable.count();
    int min = a.minLatencyRequestsOrDefault();
    if (canary.count() < min || stable.count() < min) {
      l.message =
          fmt(
              "latency not judged: %d canary and %d stable user requests in the window, fewer than"
                  + " minLatencyRequests %d",
              canary.count(), stable.count(), min);
      return;
    }
    l.canaryP99Seconds = canary.quantile(LATENCY_QUANTILE);
    l.stableP99Seconds = stable.quantile(LATENCY_QUANTILE);
    if (!(l.stableP99Seconds > 0) || !Double.isFinite(l.canaryP99Seconds)) {
      l.message =
          fmt(
              "latency not judged: p99 canary %s s, stable %s s",
              l.canaryP99Seconds, l.stableP99Seconds);
      return;
    }
    l.ratio = l.canaryP99Seconds / l.stableP99Seconds;
    l.message =
        fmt(
            "p99 latency ratio %.2f (canary %.3f s, stable %.3f s over %d and %d user requests)",
            l.ratio, l.canaryP99Seconds, l.stableP99Seconds, l.canaryRequests, l.stableRequests);
    if (l.ratio > a.maxLatencyRatio) {
      reasons.add(LATENCY_RATIO);
      failures.add(
          fmt(
              "p99 latency ratio %.2f (canary %.3f s, stable %.3f s) above maxLatencyRatio %s",
              l.ratio, l.canaryP99Seconds, l.stableP99Seconds, a.maxLatencyRatio));
    }
  }

  /** Latency not judged is said in every verdict that judged the rest. */
  private static String notes(CanaryStatus c) {
    return c.latency != null && c.latency.ratio == null && c.latency.message != null
        ? "; " + c.latency.message
        : "";
  }

  /** Every figure measured, for a promotion's message and events. */
  static String figures(CanaryStatus c) {
    List<String> parts = new ArrayList<>();
    parts.add(fmt("error rate %.4f over %d requests", c.errorRate, c.requests));
    CanaryQualityStatus q = c.quality;
    if (q != null && CanaryQualityStatus.MEASURED.equals(q.state)) {
      StringBuilder s = new StringBuilder();
      if (q.emptyRate != null) {
        s.append(fmt("empty rate %.2f (stable %.2f)", q.emptyRate, orNaN(q.stableEmptyRate)));
      }
      if (q.accuracyDrop() != null) {
        s.append(fmt(", accuracy drop %.2f", q.accuracyDrop()));
      }
      if (q.distanceRatio != null) {
        s.append(fmt(", distance ratio %.2f", q.distanceRatio));
      }
      s.append(fmt(" (%d probes)", q.probes == null ? 0 : q.probes));
      parts.add(s.toString());
    }
    if (c.latency != null && c.latency.message != null) {
      parts.add(c.latency.message);
    }
    return String.join("; ", parts);
  }

  /** The verdict's figures by name, where measured (the verdict gauges). */
  static Map<String, Double> figureValues(CanaryStatus c) {
    Map<String, Double> f = new LinkedHashMap<>();
    if (c.errorRate != null) {
      f.put("errorRate", c.errorRate);
    }
    CanaryQualityStatus q = c.quality;
    if (q != null && CanaryQualityStatus.MEASURED.equals(q.state)) {
      putIfSet(f, "emptyRate", q.emptyRate);
      putIfSet(f, "accuracyDrop", q.accuracyDrop());
      putIfSet(f, "distanceRatio", q.distanceRatio);
    }
    if (c.latency != null) {
      putIfSet(f, "latencyRatio", c.latency.ratio);
    }
    return f;
  }

  /** Copies a finished probe's outcome into status.canary.quality. */
  static void record(CanaryQualityStatus q, ProbeOutcome outcome) {
    CanaryProbeReport r = outcome.report();
    if (r == null) {
      q.state = CanaryQualityStatus.INCONCLUSIVE;
      q.message = outcome.failure();
      return;
    }
    q.message = r.message;
    q.probes = r.probes;
    q.features = r.features;
    q.distanceRatio = r.distanceRatio;
    if (r.canary != null) {
      q.emptyRate = r.canary.emptyRate;
      q.classAccuracy = r.canary.classAccuracy;
    }
    if (r.stable != null) {
      q.stableEmptyRate = r.stable.emptyRate;
      q.stableClassAccuracy = r.stable.classAccuracy;
    }
    boolean measured = CanaryProbeReport.MEASURED.equals(r.status) && q.emptyRate != null;
    q.state = measured ? CanaryQualityStatus.MEASURED : CanaryQualityStatus.INCONCLUSIVE;
    if (!measured && q.message == null) {
      q.message = "the probe report has status " + r.status;
    }
  }

  private static void putIfSet(Map<String, Double> f, String name, Double v) {
    if (v != null) {
      f.put(name, v);
    }
  }

  private static double orNaN(Double d) {
    return d == null ? Double.NaN : d;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
