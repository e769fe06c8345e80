package io.distillery.operator.testing.fakes;

import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.distillation.DistillationJobReconciler;
import io.distillery.operator.serving.StudentDeploymentReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The operator in-process: a plain JOSDK {@link Operator} with the production reconciler (and its
 * annotated workflow) against the test's API server. Faster and more controllable than a
 * {@code @QuarkusTest}: a test can stop it mid-job and start a fresh one, as a restart would.
 */
public final class OperatorHarness implements AutoCloseable {
  /** JOSDK's default number of reconcile threads, which the operator keeps. */
  public static final int DEFAULT_THREADS = 50;

  private final Operator operator;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private OperatorHarness(
      KubernetesClient client,
      OperatorSettings settings,
      Metrics metrics,
      boolean students,
      int reconcileThreads,
      String... namespaces) {
    operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withConcurrentReconciliationThreads(reconcileThreads)
                    .withConcurrentWorkflowExecutorThreads(reconcileThreads)
                    .withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true)
                    .withCacheSyncTimeout(Duration.ofSeconds(30))
                    .withMetrics(metrics)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(5)));
    // No namespaces: every namespace, as the chart's default.
    if (students) {
      operator.register(
          new StudentDeploymentReconciler(settings, registry), o -> watch(o, namespaces));
    } else {
      operator.register(
          new DistillationJobReconciler(settings, registry), o -> watch(o, namespaces));
    }
    operator.start();
  }

  /** Settings with short intervals so tests do not wait. */
  public static OperatorSettings fastSettings() {
    return new OperatorSettings(
        "registry.example/distillery/mdt:test",
        "IfNotPresent",
        "nvidia.com/gpu",
        Duration.ofSeconds(1),
        Duration.ofMillis(500),
        Duration.ofSeconds(60),
        Duration.ofSeconds(1),
        Duration.ofSeconds(3));
  }

  public static OperatorHarness start(KubernetesClient client) {
    return new OperatorHarness(client, fastSettings(), Metrics.NOOP, false, DEFAULT_THREADS);
  }

  /** The DistillationJob controller, watching {@code namespaces} (all when none). */
  public static OperatorHarness start(
      KubernetesClient client, OperatorSettings settings, Metrics metrics, String... namespaces) {
    return new OperatorHarness(client, settings, metrics, false, DEFAULT_THREADS, namespaces);
  }

  /**
   * The DistillationJob controller with {@code reconcileThreads} reconcile (and as many workflow)
   * threads, as {@code quarkus.operator-sdk.concurrent-reconciliation-threads} sets them.
   */
  public static OperatorHarness start(
      KubernetesClient client,
      OperatorSettings settings,
      Metrics metrics,
      int reconcileThreads,
      String... namespaces) {
    return new OperatorHarness(client, settings, metrics, false, reconcileThreads, namespaces);
  }

  private static void watch(ControllerConfigurationOverrider<?> o, String... namespaces) {
    if (namespaces.length > 0) {
      o.settingNamespaces(namespaces);
    }
  }

  /**
   * The StudentDeployment controller alone, so a test writes the DistillationJobs' status itself (a
   * succeeded job with a result) instead of training.
   */
  public static OperatorHarness startStudentDeployments(KubernetesClient client) {
    return new OperatorHarness(client, fastSettings(), Metrics.NOOP, true, DEFAULT_THREADS);
  }

  /** The StudentDeployment controller alone, watching {@code namespaces} (all when none). */
  public static OperatorHarness startStudentDeployments(
      KubernetesClient client, OperatorSettings settings, Metrics metrics, String... namespaces) {
    return new OperatorHarness(client, settings, metrics, true, DEFAULT_THREADS, namespaces);
  }

  public SimpleMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
