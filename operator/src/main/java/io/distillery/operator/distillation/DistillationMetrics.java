package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.Phase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Micrometer metrics beside JOSDK's own: {@code distillery_jobs{phase}} (a gauge counted from the
 * informer cache, so deleted jobs drop out by themselves) and {@code
 * distillery_job_phase_duration_seconds{phase}} (a timer recorded when a job leaves a phase; the
 * entry time is remembered in memory, so after an operator restart the first interval counts from
 * the restart; entries of deleted jobs are dropped when the gauge is read).
 */
public class DistillationMetrics {
  public static final String JOBS = "distillery.jobs";
  public static final String PHASE_DURATION = "distillery.job.phase.duration";

  private final MeterRegistry registry;
  private final Map<String, Entered> entered = new ConcurrentHashMap<>();
  private volatile Supplier<Stream<DistillationJob>> jobs = Stream::empty;

  private record Entered(Phase phase, Instant at) {}

  public DistillationMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Phase phase : Phase.values()) {
      Gauge.builder(JOBS, this, m -> m.count(phase))
          .tag("phase", phase.name())
          .description("DistillationJobs by phase")
          .register(registry);
    }
  }

  /** Where the gauge counts from (the controller's primary cache). */
  public void countFrom(Supplier<Stream<DistillationJob>> jobs) {
    this.jobs = jobs;
  }

  /** Notes the phase a job is in now; records the time spent in the one it left. */
  public void observe(DistillationJob dj, Phase phase, Instant now) {
    String uid = dj.getMetadata().getUid();
    Entered before = entered.get(uid);
    if (before != null && before.phase() == phase) {
      return;
    }
    if (before != null) {
      Timer.builder(PHASE_DURATION)
          .tag("phase", before.phase().name())
          .description("Time DistillationJobs spent in a phase before leaving it")
          .register(registry)
          .record(Duration.between(before.at(), now));
    }
    if (phase.finished()) {
      entered.remove(uid);
    } else {
      entered.put(uid, new Entered(phase, now));
    }
  }

  private double count(Phase phase) {
    var known = jobs.get().toList();
    // Forget entry times of jobs deleted before they finished.
    var uids = known.stream().map(j -> j.getMetadata().getUid()).collect(Collectors.toSet());
    if (!known.isEmpty()) {
      entered.keySet().retainAll(uids);
    }
    return known.stream()
        .filter(j -> j.getStatus() != null && j.getStatus().phase == phase)
        .count();
  }
}
