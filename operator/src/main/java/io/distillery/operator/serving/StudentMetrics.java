package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Micrometer metrics of the StudentDeployment controller: {@code distillery_student_deployments
 * {phase}} (gauge counted from the informer cache) and {@code distillery_student_rollouts_total
 * {outcome}} ({@code promoted}, {@code rolled_back}, {@code completed}, {@code deadline_exceeded};
 * counted when the status records the outcome).
 */
public class StudentMetrics {
  public static final String DEPLOYMENTS = "distillery.student.deployments";
  public static final String ROLLOUTS = "distillery.student.rollouts";

  private final MeterRegistry registry;
  private volatile Supplier<Stream<StudentDeployment>> deployments = Stream::empty;

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

  public void rollout(String outcome) {
    Counter.builder(ROLLOUTS)
        .tag("outcome", outcome)
        .description("Finished rollouts of a new model by outcome")
        .register(registry)
        .increment();
  }

  private double count(StudentPhase phase) {
    return deployments
        .get()
        .filter(d -> d.getStatus() != null && d.getStatus().phase == phase)
        .count();
  }
}
