package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.AutoscalingSpec;
import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.ServiceSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Desired Deployment, Service and HPA, without a cluster. */
class ServingDeploymentsTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults();
  static final ServedModel MODEL =
      new ServedModel("pvc://artifacts/shapes/student", Fixtures.digest('a'), "shapes", "21.4x@1");

  @Test
  void stableDeploymentServesTheModelReadOnlyWithProbesAndALockedDownPod() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    sd.getSpec().steps = 2;
    Deployment d = ServingDeployments.stable(sd, MODEL, SETTINGS);

    assertThat(d.getMetadata().getName()).isEqualTo("shapes");
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsEntry(Labels.TRACK, "stable")
        .containsEntry(Labels.STUDENT_DEPLOYMENT, "shapes");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    var template = d.getSpec().getTemplate();
    assertThat(template.getMetadata().getLabels())
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    assertThat(template.getMetadata().getAnnotations())
        .containsEntry(Labels.MODEL_DIGEST, Fixtures.digest('a'))
        .containsKey(Labels.CONFIG_HASH);
    Container c = template.getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(SETTINGS.trainerImage());
    assertThat(c.getArgs())
        .containsExactly(
            "serve",
            "--model",
            "/var/lib/distillery/model/shapes/student",
            "--port",
            "8080",
            "--drain-timeout-s",
            "30",
            "--steps",
            "2");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/var/lib/distillery/model");
              assertThat(m.getReadOnly()).isTrue();
            })
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    var volumes = template.getSpec().getVolumes();
    assertThat(volumes)
        .anySatisfy(
            v -> {
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("artifacts");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            })
        .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(c.getResources().getRequests()).isEmpty();
  }

  @Test
  void gpusAreRequestedAsLimitsOfTheExtendedResource() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    sd.getSpec().resources = new ResourcesSpec();
    sd.getSpec().resources.gpus = 1;
    sd.getSpec().resources.gpuResourceName = "amd.com/gpu";
    sd.getSpec().resources.memory = new Quantity("4Gi");
    sd.getSpec().image = "registry.example/mdt:1";
    Container c =
        ServingDeployments.stable(sd, MODEL, SETTINGS)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(c.getResources().getLimits())
        .containsEntry("amd.com/gpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("4Gi"));
    assertThat(c.getImage()).isEqualTo("registry.example/mdt:1");
  }

  @Test
  void withGpusServeRunsOnTheGpusAndItsErrorBecomesTheTerminationMessage() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    Container cpu =
        ServingDeployments.stable(sd, MODEL, SETTINGS)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(cpu.getArgs()).doesNotContain("--device");
    assertThat(cpu.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");

    sd.getSpec().resources = new ResourcesSpec();
    sd.getSpec().resources.gpus = 2;
    Container c =
        ServingDeployments.stable(sd, MODEL, SETTINGS)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    // mdt serve puts one model replica on each GPU the pod gets.
    assertThat(c.getArgs()).containsSubsequence("--device", "gpu");
    assertThat(c.getResources().getLimits())
        .containsEntry(SETTINGS.gpuResourceName(), new Quantity("2"));

    sd.getSpec().resources.gpus = 0;
    assertThat(
            ServingDeployments.stable(sd, MODEL, SETTINGS)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .doesNotContain("--device");
  }

  @Test
  void aDeletedPodKeepsServingUntilRoutingForgetsItThenDrains() {
    var pod =
        ServingDeployments.stable(
                Fixtures.studentDeployment("shapes", Fixtures.digest('a')), MODEL, SETTINGS)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getSleep().getSeconds())
        .isEqualTo(5L);
    // SIGKILL only after the pre-stop sleep and the drain the container is told to take.
    List<String> args = pod.getContainers().get(0).getArgs();
    long drain = Long.parseLong(args.get(args.indexOf("--drain-timeout-s") + 1));
    assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(5L + drain);
  }

  @Test
  void placementGoesOntoBothTracksPodTemplates() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    sd.getSpec().placement = new PlacementSpec();
    sd.getSpec().placement.nodeSelector = Map.of("nvidia.com/gpu.present", "true");
    sd.getSpec().placement.tolerations =
        List.of(
            new TolerationBuilder()
                .withKey("nvidia.com/gpu")
                .withOperator("Exists")
                .withEffect("NoSchedule")
                .build());
    sd.getSpec().placement.priorityClassName = "serving";
    for (Deployment d :
        List.of(
            ServingDeployments.stable(sd, MODEL, SETTINGS),
            ServingDeployments.canary(sd, MODEL, SETTINGS))) {
      PodSpec pod = d.getSpec().getTemplate().getSpec();
      assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
      assertThat(pod.getTolerations())
          .singleElement()
          .extracting("key")
          .isEqualTo("nvidia.com/gpu");
      assertThat(pod.getPriorityClassName()).isEqualTo("serving");
    }
    // Without placement the pods may go anywhere.
    PodSpec anywhere =
        ServingDeployments.stable(
                Fixtures.studentDeployment("shapes", Fixtures.digest('a')), MODEL, SETTINGS)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(anywhere.getNodeSelector()).isNullOrEmpty();
    assertThat(anywhere.getTolerations()).isNullOrEmpty();
  }

  @Test
  void aNewModelChangesThePodTemplateSoThePodsRoll() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    var before = ServingDeployments.stable(sd, MODEL, SETTINGS).getSpec().getTemplate();
    var next =
        new ServedModel("pvc://artifacts/shapes-v2/student", Fixtures.digest('b'), "v2", null);
    var after = ServingDeployments.stable(sd, next, SETTINGS).getSpec().getTemplate();
    assertThat(after.getMetadata().getAnnotations().get(Labels.MODEL_DIGEST))
        .isEqualTo(Fixtures.digest('b'));
    assertThat(after.getMetadata().getAnnotations().get(Labels.CONFIG_HASH))
        .isNotEqualTo(before.getMetadata().getAnnotations().get(Labels.CONFIG_HASH));
  }

  @Test
  void canaryHasItsOwnTrackAndShareOfReplicas() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    sd.getSpec().replicas = 10;
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    sd.getSpec().rollout.canaryPercent = 25;
    Deployment canary = ServingDeployments.canary(sd, MODEL, SETTINGS);
    assertThat(canary.getMetadata().getName()).isEqualTo("shapes-canary");
    assertThat(canary.getSpec().getReplicas()).isEqualTo(3);
    assertThat(canary.getSpec().getSelector().getMatchLabels())
        .containsEntry(Labels.TRACK, "canary");
    // The Service selects both tracks.
    assertThat(ServingServiceDependent.desired(sd).getSpec().getSelector())
        .containsOnlyKeys(Labels.STUDENT_DEPLOYMENT);
  }

  @Test
  void serviceAndAutoscaler() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", Fixtures.digest('a'));
    sd.getSpec().service = new ServiceSpec();
    sd.getSpec().service.type = ServiceSpec.Type.NodePort;
    sd.getSpec().service.port = 9000;
    var svc = ServingServiceDependent.desired(sd);
    assertThat(svc.getSpec().getType()).isEqualTo("NodePort");
    assertThat(svc.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(9000);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
    assertThat(StudentNames.url(sd)).isEqualTo("http://shapes.ml.svc:9000");

    sd.getSpec().autoscaling = new AutoscalingSpec();
    sd.getSpec().autoscaling.minReplicas = 2;
    sd.getSpec().autoscaling.maxReplicas = 8;
    sd.getSpec().autoscaling.targetCPUUtilizationPercentage = 60;
    var hpa = AutoscalerDependent.desired(sd);
    assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("shapes");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
    assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(60);
    // The HPA owns the stable replica count.
    assertThat(ServingDeployments.stable(sd, MODEL, SETTINGS).getSpec().getReplicas()).isNull();
  }

  @Test
  void prometheusTextIsSummedByOutcome() {
    String text =
        """
        # TYPE mdt_serve_requests_total counter
        mdt_serve_requests_total{outcome="ok"} 90.0
        mdt_serve_requests_total{outcome="bad_request"} 5.0
        mdt_serve_requests_total{outcome="error"} 3.0
        mdt_serve_requests_total{outcome="unavailable"} 2.0
        mdt_serve_requests_total_created{outcome="ok"} 1.7E9
        """;
    assertThat(CanaryMetricsClient.parse(text)).isEqualTo(new RequestCounts(100, 5));
  }
}
