package io.distillery.operator.serving;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the reconciler saw: the resolved source, the plan, the two Deployments (null when absent),
 * and lazy readings only made while a canary is judged: the canary pods' request counters, both
 * tracks' latency histograms, and the outcome of the canary's finished probe pod; the serving pods
 * (why they are not ready: a failed model fetch).
 */
public record ServingObservation(
    SourceResolution source,
    RolloutPlan plan,
    Deployment stable,
    Deployment canary,
    Supplier<Optional<RequestCounts>> canaryCounts,
    Supplier<Optional<CanaryLatency>> latency,
    Supplier<Optional<ProbeOutcome>> probe,
    List<Pod> pods) {

  /** Without the serving pods (no fetch problems to report). */
  public ServingObservation(
      SourceResolution source,
      RolloutPlan plan,
      Deployment stable,
      Deployment canary,
      Supplier<Optional<RequestCounts>> canaryCounts,
      Supplier<Optional<CanaryLatency>> latency,
      Supplier<Optional<ProbeOutcome>> probe) {
    this(source, plan, stable, canary, canaryCounts, latency, probe, List.of());
  }

  /** Without latency or probe readings (rollouts whose analysis judges neither). */
  public ServingObservation(
      SourceResolution source,
      RolloutPlan plan,
      Deployment stable,
      Deployment canary,
      Supplier<Optional<RequestCounts>> canaryCounts) {
    this(source, plan, stable, canary, canaryCounts, Optional::empty, Optional::empty, List.of());
  }
}
