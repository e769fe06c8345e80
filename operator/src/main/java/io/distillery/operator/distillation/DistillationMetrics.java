package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Micrometer metrics beside JOSDK's own: {@code distillery_jobs{phase}} (a gauge counted from the
 * informer cache, so deleted jobs drop out by themselves) and {@code
 * distillery_job_phase_duration_seconds{phase}} (a timer recorded when a job leaves a phase; the
 * entry time is remembered in memory, so after an operator restart the first interval counts from
 * the restart; entries of deleted jobs are dropped when the gauge is read); for the alerting rules,
 * {@code distillery_job_failures_total{reason}} (jobs that turned Failed, by their Failed
 * condition's reason) and {@code distillery_jobs_progress_stale} (training jobs whose trainer's
 * /progress does not answer or stopped changing). None carries a job's name: series never grow with
 * jobs.
 */
public class DistillationMetrics {
  public static final String JOBS = "distillery.jobs";
  public static final String PHASE_DURATION = "distillery.job.phase.duration";
  public static final String FAILURES = "distillery.job.failures";
  public static final String PROGRESS_STALE = "distillery.jobs.progress.stale";

  private final MeterRegistry registry;
  private final Map<String, Entered> entered = new ConcurrentHashMap<>();

  /** Jobs whose failure was counted, so a repeated reconcile of the same transition is not. */
  private final Set<String> failuresCounted = ConcurrentHashMap.newKeySet();

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
    Gauge.builder(PROGRESS_STALE, this, DistillationMetrics::staleCount)
        .description("Training DistillationJobs whose trainer's progress is unreachable or stale")
        .register(registry);
  }

  /** Counts a job's turn to Failed once, by the reason of its Failed condition. */
  public void failed(DistillationJob dj, DistillationJobStatus next) {
    boolean wasFailed = dj.getStatus() != null && dj.getStatus().phase == Phase.Failed;
    if (next.phase != Phase.Failed
        || wasFailed
        || !failuresCounted.add(dj.getMetadata().getUid())) {
      return;
    }
    String reason = Conditions.reason(next.conditions, DistillationConditions.FAILED);
    Counter.builder(FAILURES)
        .tag("reason", reason == null ? "Unknown" : reason)
        .description("DistillationJobs that failed, by reason")
        .register(registry)
        .increment();
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

  private double staleCount() {
    return jobs.get()
        .filter(j -> j.getStatus() != null && j.getStatus().progress != null)
        .filter(
            j -> j.getStatus().phase == Phase.Running || j.getStatus().phase == Phase.Evaluating)
        .filter(
            j ->
                Boolean.TRUE.equals(j.getStatus().progress.stale)
                    || "unreachable".equals(j.getStatus().progress.display))
        .count();
  }

  private double count(Phase phase) {
    var known = jobs.get().toList();
    // Forget entry times of jobs deleted before they finished.
    var uids = known.stream().map(j -> j.getMetadata().getUid()).collect(Collectors.toSet());
    if (!known.isEmpty()) {
      entered.keySet().retainAll(uids);
      failuresCounted.retainAll(uids);
    }
    return known.stream()
        .filter(j -> j.getStatus() != null && j.getStatus().phase == phase)
        .count();
  }
}
