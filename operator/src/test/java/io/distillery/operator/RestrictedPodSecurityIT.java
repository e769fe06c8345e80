package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.CanaryQualitySpec;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.serving.ProbeJobs;
import io.distillery.operator.serving.ServedModel;
import io.distillery.operator.serving.ServingDeployments;
import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.RenderedChart;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pods Distillery makes pass the restricted Pod Security Standard, as the real API server's
 * PodSecurity admission enforces it on a namespace labelled {@code
 * pod-security.kubernetes.io/enforce=restricted}: the trainer's (from the Job the operator
 * created), the serving pods (from the operator's Deployment template) and the operator's own (from
 * the rendered chart), and a canary's probe pod (from its Job's template). Pods are created from
 * the templates as the job and deployment controllers would; their creation is what admission
 * judges.
 */
class RestrictedPodSecurityIT {
  @Test
  void trainerServingAndOperatorPodsAreAdmittedUnderRestricted() throws Exception {
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("restricted");
      client
          .namespaces()
          .withName(ns)
          .edit(
              n -> {
                n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
                return n;
              });
      // Admission really enforces it here: a pod without a security context is refused.
      assertThat(refusal(client, ns, bare(ns))).contains("restricted");

      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      ClusterSimulator cluster = new ClusterSimulator(client);
      try (OperatorHarness operator =
          OperatorHarness.start(
              client,
              OperatorHarness.fastSettings(),
              io.javaoperatorsdk.operator.api.monitoring.Metrics.NOOP,
              ns)) {
        Manifests.untyped(client)
            .inNamespace(ns)
            .resource(Manifests.parse(client, Manifests.distillationJob("psa", "")))
            .create();
        Job job =
            await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> client.batch().v1().jobs().inNamespace(ns).withName("psa").get(),
                    j -> j != null);
        assertThat(cluster.createPod(job, "psa-trainer")).isNotNull();
      }

      Deployment serving =
          ServingDeployments.stable(
              Fixtures.studentDeployment("psa-serving", Fixtures.digest('a')),
              new ServedModel(
                  "pvc://artifacts/shapes/student", Fixtures.digest('a'), "shapes", "21.4x@1"),
              OperatorSettings.defaults());
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .resource(podOf(serving.getSpec().getTemplate(), "psa-serving", ns))
                  .create())
          .isNotNull();

      // A model from object storage: the fetch init container is judged too.
      var fromS3 = Fixtures.studentDeployment("psa-s3", Fixtures.digest('a'));
      fromS3.getSpec().s3 = new io.distillery.operator.api.v1alpha1.S3Spec();
      fromS3.getSpec().s3.credentialsSecret = "s3-creds";
      Deployment fetching =
          ServingDeployments.stable(
              fromS3,
              new ServedModel("s3://models/shapes/student", Fixtures.digest('a'), null, null),
              OperatorSettings.defaults());
      assertThat(fetching.getSpec().getTemplate().getSpec().getInitContainers()).hasSize(1);
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .resource(podOf(fetching.getSpec().getTemplate(), "psa-s3", ns))
                  .create())
          .isNotNull();

      // A canary's probe Job (ServingDeployments' restricted context, no GPU).
      var sd = Fixtures.studentDeployment("psa-serving", Fixtures.digest('a'));
      sd.getSpec().rollout = new RolloutSpec();
      sd.getSpec().rollout.analysis = new RolloutSpec.AnalysisSpec();
      sd.getSpec().rollout.analysis.quality = new CanaryQualitySpec();
      Pod ready =
          new PodBuilder()
              .withNewStatus()
              .withPodIP("10.0.0.1")
              .endStatus()
              .withNewSpec()
              .addNewContainer()
              .endContainer()
              .endSpec()
              .build();
      var probe =
          ProbeJobs.job(
              sd,
              Fixtures.digest('b'),
              List.of(ready),
              List.of(ready),
              OperatorSettings.defaults());
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .resource(podOf(probe.getSpec().getTemplate(), "psa-probe", ns))
                  .create())
          .isNotNull();

      RenderedChart chart = RenderedChart.render("distillery", ns);
      var sa = chart.only("ServiceAccount");
      client
          .serviceAccounts()
          .inNamespace(ns)
          .resource(client.getKubernetesSerialization().convertValue(sa, ServiceAccount.class))
          .create();
      Deployment operatorDeployment =
          client
              .getKubernetesSerialization()
              .convertValue(chart.only("Deployment"), Deployment.class);
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .resource(podOf(operatorDeployment.getSpec().getTemplate(), "operator", ns))
                  .create())
          .isNotNull();
    }
  }

  private static Pod podOf(PodTemplateSpec template, String name, String ns) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(template.getMetadata().getLabels())
        .endMetadata()
        .withSpec(template.getSpec())
        .build();
  }

  private static Pod bare(String ns) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("bare")
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("example/bare:1")
        .endContainer()
        .endSpec()
        .build();
  }

  private static String refusal(KubernetesClient client, String ns, Pod pod) {
    try {
      client.pods().inNamespace(ns).resource(pod).create();
      return "admitted";
    } catch (KubernetesClientException e) {
      return e.getMessage();
    }
  }
}
