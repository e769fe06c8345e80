package io.distillery.operator.testing.fakes;

import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.harnesses.Impersonation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The operator as the chart installed it, run in-process (there is no container runtime for its
 * pod): the production reconcilers with the trainer image, pull policy and GPU resource name of the
 * installed Deployment's environment, acting as the chart's ServiceAccount through impersonation,
 * so every call goes through the chart's RBAC.
 */
public final class ChartOperator implements AutoCloseable {
  private final KubernetesClient asServiceAccount;
  private final OperatorHarness students;
  private final OperatorHarness distillation;

  private ChartOperator(
      KubernetesClient asServiceAccount, OperatorHarness students, OperatorHarness distillation) {
    this.asServiceAccount = asServiceAccount;
    this.students = students;
    this.distillation = distillation;
  }

  /** Starts both reconcilers from the Deployment {@code release} in {@code namespace}. */
  public static ChartOperator start(
      KubernetesClient admin, Path kubeconfig, String namespace, String release)
      throws IOException {
    Deployment deployment =
        admin.apps().deployments().inNamespace(namespace).withName(release).get();
    Map<String, String> env = env(deployment);
    OperatorSettings fast = OperatorHarness.fastSettings();
    OperatorSettings settings =
        new OperatorSettings(
            env.get("DISTILLERY_TRAINER_IMAGE"),
            env.get("DISTILLERY_TRAINER_IMAGE_PULL_POLICY"),
            env.get("DISTILLERY_GPU_RESOURCE_NAME"),
            fast.progressInterval(),
            fast.progressTimeout(),
            fast.staleAfter(),
            fast.retryMin(),
            fast.retryMax());
    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    KubernetesClient client =
        Impersonation.asServiceAccount(Files.readString(kubeconfig), namespace, serviceAccount);
    OperatorHarness students = OperatorHarness.startStudentDeployments(client);
    OperatorHarness distillation = OperatorHarness.start(client, settings, Metrics.NOOP);
    return new ChartOperator(client, students, distillation);
  }

  /** The operator container's plain environment variables (valueFrom ones left out). */
  public static Map<String, String> env(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Override
  public void close() {
    students.close();
    distillation.close();
    asServiceAccount.close();
  }
}
