package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Micrometer metrics of the StudentDeployment controller: {@code distillery_student_deployments
 * {phase}} (gauge counted from the informer cache), {@code distillery_student_rollouts_total
 * {outcome,reason}} ({@code promoted}, {@code rolled_back}, {@code paused}, {@code completed},
 * {@code deadline_exceeded}, with the figure or cause that decided it; counted when the status
 * records the outcome) and {@code distillery_student_canary_verdict{namespace,studentdeployment,
 * figure}} (the figures of each StudentDeployment's last canary verdict, e.g. {@code errorRate},
 * {@code distanceRatio}).
 */
public class StudentMetrics {
  public static final String DEPLOYMENTS = "distillery.student.deployments";
  public static final String ROLLOUTS = "distillery.student.rollouts";
  public static final String VERDICT = "distillery.student.canary.verdict";

  private final MeterRegistry registry;
  private volatile Supplier<Stream<StudentDeployment>> deployments = Stream::empty;
  private final Map<VerdictKey, AtomicReference<Double>> verdicts = new ConcurrentHashMap<>();

  public StudentMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (StudentPhase phase : StudentPhase.values()) {
      Gauge.builder(DEPLOYMENTS, this, m -> m.count(phase))
          .tag("phase", phase.name())
          .description("StudentDeployments by phase")
          .register(registry);
    }
  }

  public void countFrom(Supplier<Stream<StudentDeployment>> deployments) {
    this.deployments = deployments;
  }

  /** A rollout outcome whose reason follows from the outcome alone (no canary analysis). */
  public void rollout(String outcome) {
    rollout(
        outcome,
        switch (outcome) {
          case "promoted" -> "passed";
          case "rolled_back" -> "error_rate";
          case "deadline_exceeded" -> "deadline";
          default -> "rolling_update";
        });
  }

  /** A finished (or paused) rollout and the figure or cause that decided it. */
  public void rollout(String outcome, String reason) {
    Counter.builder(ROLLOUTS)
        .tag("outcome", outcome)
        .tag("reason", reason)
        .description("Finished or paused rollouts of a new model by outcome and deciding reason")
        .register(registry)
        .increment();
  }

  /**
   * The figures of {@code sd}'s latest canary verdict; a figure left out of {@code figures} keeps
   * no stale value (it becomes NaN, which Prometheus drops from queries' results).
   */
  public void verdict(StudentDeployment sd, Map<String, Double> figures) {
    String ns = sd.getMetadata().getNamespace();
    String name = sd.getMetadata().getName();
    verdicts.forEach(
        (key, value) -> {
          if (key.namespace().equals(ns) && key.name().equals(name)) {
            value.set(figures.getOrDefault(key.figure(), Double.NaN));
          }
        });
    figures.forEach(
        (figure, value) ->
            verdicts
                .computeIfAbsent(
                    new VerdictKey(ns, name, figure),
                    key -> {
                      AtomicReference<Double> held = new AtomicReference<>(Double.NaN);
                      Gauge.builder(VERDICT, held, h -> h.get() == null ? Double.NaN : h.get())
                          .tag("namespace", ns)
                          .tag("studentdeployment", name)
                          .tag("figure", figure)
                          .description(
                              "Figures of the latest canary verdict of a StudentDeployment")
                          .register(registry);
                      return held;
                    })
                .set(value == null ? Double.NaN : value));
  }

  private record VerdictKey(String namespace, String name, String figure) {}

  private double count(StudentPhase phase) {
    return deployments
        .get()
        .filter(d -> d.getStatus() != null && d.getStatus().phase == phase)
        .count();
  }
}
