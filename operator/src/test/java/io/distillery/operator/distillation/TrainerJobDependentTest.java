package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.HyperparametersSpec;
import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerJobDependentTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults();

  @Test
  void cpuJobRunsMdtDistillWithTheConfigAndNoApiRights() {
    DistillationJob dj = Fixtures.distillationJob("cpu");
    Job job = TrainerJobDependent.desired(dj, SETTINGS, null);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(job.getMetadata().getName()).isEqualTo("cpu");
    assertThat(c.getImage()).isEqualTo(SETTINGS.trainerImage());
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("DISTILLERY_IMAGE");
              assertThat(e.getValue()).isEqualTo(SETTINGS.trainerImage());
            });
    assertThat(c.getArgs()).containsExactly("distill", "--config", "/etc/distillery/trainer.yaml");
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("progress");
              assertThat(p.getContainerPort()).isEqualTo(8080);
            });
    assertThat(c.getResources().getRequests()).isNullOrEmpty();
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(3);
    assertThat(job.getSpec().getSuspend()).isFalse();
    assertThat(job.getSpec().getPodFailurePolicy().getRules().get(0).getOnExitCodes().getValues())
        .containsExactly(2, 3, 4, 5, 6);
    // A preempted attempt (SIGTERM, exit 143 after the checkpoint) never uses up backoffLimit.
    assertThat(job.getSpec().getPodFailurePolicy().getRules())
        .filteredOn(r -> r.getOnExitCodes() != null && "Ignore".equals(r.getAction()))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getOnExitCodes().getValues()).containsExactly(143);
              assertThat(r.getOnExitCodes().getContainerName()).isEqualTo("trainer");
            });
    assertThat(claims(pod)).containsExactly("artifacts");
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap()).isNotNull());
    assertThat(job.getMetadata().getLabels())
        .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR)
        .containsEntry(Labels.COMPONENT, "trainer")
        .containsEntry(Labels.INSTANCE, "cpu")
        .containsEntry(Labels.DISTILLATION_JOB, "cpu");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(Labels.DISTILLATION_JOB, "cpu");
  }

  @Test
  void gpusUseTheConfiguredExtendedResourceInRequestsAndLimits() {
    DistillationJob dj = Fixtures.distillationJob("gpu");
    dj.getSpec().resources = new ResourcesSpec();
    dj.getSpec().resources.gpus = 2;
    dj.getSpec().resources.cpu = new Quantity("4");
    dj.getSpec().resources.memory = new Quantity("16Gi");
    Container c = container(TrainerJobDependent.desired(dj, SETTINGS, null));
    assertThat(c.getResources().getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("2"))
        .containsEntry("cpu", new Quantity("4"))
        .containsEntry("memory", new Quantity("16Gi"));
    assertThat(c.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("16Gi"))
        .doesNotContainKey("cpu");

    dj.getSpec().resources.gpuResourceName = "amd.com/gpu";
    assertThat(
            container(TrainerJobDependent.desired(dj, SETTINGS, null)).getResources().getLimits())
        .containsKey("amd.com/gpu")
        .doesNotContainKey("nvidia.com/gpu");
  }

  @Test
  void placementPullSecretsServiceAccountAndLimitsAreCopied() {
    DistillationJob dj = Fixtures.distillationJob("placed");
    var spec = dj.getSpec();
    spec.placement = new PlacementSpec();
    spec.placement.nodeSelector = Map.of("pool", "gpu");
    spec.placement.tolerations =
        List.of(new TolerationBuilder().withKey("gpu").withOperator("Exists").build());
    spec.placement.affinity = new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build();
    spec.placement.priorityClassName = "training";
    spec.imagePullSecrets = List.of(new LocalObjectReference("regcred"));
    spec.serviceAccountName = "trainer";
    spec.image = "example/mdt:1";
    spec.backoffLimit = 1;
    spec.activeDeadlineSeconds = 3600L;
    spec.ttlSecondsAfterFinished = 60;
    Job job = TrainerJobDependent.desired(dj, SETTINGS, null);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("pool", "gpu");
    assertThat(pod.getTolerations()).hasSize(1);
    assertThat(pod.getAffinity().getNodeAffinity()).isNotNull();
    assertThat(pod.getPriorityClassName()).isEqualTo("training");
    assertThat(pod.getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("regcred");
    assertThat(pod.getServiceAccountName()).isEqualTo("trainer");
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("example/mdt:1");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(60);
  }

  @Test
  void inputClaimsAreMountedReadOnlyAndTheOutputClaimOnlyOnce() {
    DistillationJob dj = Fixtures.distillationJob("inputs");
    dj.getSpec().teacher.uri = "pvc://models/teacher.pt";
    dj.getSpec().dataset = new io.distillery.operator.api.v1alpha1.DatasetSpec();
    dj.getSpec().dataset.uri = "pvc://artifacts/latents";
    PodSpec pod = TrainerJobDependent.desired(dj, SETTINGS, null).getSpec().getTemplate().getSpec();
    assertThat(claims(pod)).containsExactly("artifacts", "models");
    assertThat(pod.getVolumes())
        .filteredOn(
            v ->
                v.getPersistentVolumeClaim() != null
                    && "models".equals(v.getPersistentVolumeClaim().getClaimName()))
        .singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/var/lib/distillery/inputs/models");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void aStructureModelsClaimIsMountedReadOnly() {
    DistillationJob dj = Fixtures.distillationJob("structure-model");
    dj.getSpec().stage = io.distillery.operator.api.v1alpha1.Stage.APPEARANCE;
    dj.getSpec().dataset = new io.distillery.operator.api.v1alpha1.DatasetSpec();
    dj.getSpec().dataset.structureModel = "pvc://structure-models/teacher";
    PodSpec pod = TrainerJobDependent.desired(dj, SETTINGS, null).getSpec().getTemplate().getSpec();
    assertThat(claims(pod)).contains("structure-models");
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/var/lib/distillery/inputs/structure-models");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void aFeatureModulesClaimIsMountedReadOnlyAndSharesTheTeachersVolume() {
    DistillationJob dj = Fixtures.distillationJob("features");
    dj.getSpec().teacher.uri = "pvc://models/teacher.pt";
    dj.getSpec().evaluation = new io.distillery.operator.api.v1alpha1.EvaluationSpec();
    dj.getSpec().evaluation.features =
        new io.distillery.operator.api.v1alpha1.EvaluationSpec.FeaturesSpec();
    dj.getSpec().evaluation.features.uri = "pvc://models/features.pt";
    dj.getSpec().evaluation.features.digest = "sha256:" + "0".repeat(64);
    PodSpec pod = TrainerJobDependent.desired(dj, SETTINGS, null).getSpec().getTemplate().getSpec();
    assertThat(claims(pod)).containsExactly("artifacts", "models");

    dj.getSpec().evaluation.features.uri = "pvc://feature-nets/features.pt";
    pod = TrainerJobDependent.desired(dj, SETTINGS, null).getSpec().getTemplate().getSpec();
    assertThat(claims(pod)).containsExactly("artifacts", "models", "feature-nets");
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/var/lib/distillery/inputs/feature-nets");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void createdClaimIsUsedWhenTheSpecAsksForASize() {
    DistillationJob dj = Fixtures.distillationJob("sized");
    dj.getSpec().output.claimName = null;
    dj.getSpec().output.size = new Quantity("5Gi");
    PodSpec pod = TrainerJobDependent.desired(dj, SETTINGS, null).getSpec().getTemplate().getSpec();
    assertThat(claims(pod)).containsExactly("sized-output");
    assertThat(OutputClaimDependent.desired(dj).getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("5Gi"));
  }

  @Test
  void configHashOnThePodTemplateFollowsTheRenderedConfig() {
    DistillationJob dj = Fixtures.distillationJob("hash");
    String before = hash(TrainerJobDependent.desired(dj, SETTINGS, null));
    assertThat(hash(TrainerJobDependent.desired(dj, SETTINGS, null))).isEqualTo(before);
    dj.getSpec().hyperparameters = new HyperparametersSpec();
    dj.getSpec().hyperparameters.maxSteps = 7;
    assertThat(hash(TrainerJobDependent.desired(dj, SETTINGS, null)))
        .isNotEqualTo(before)
        .hasSize(64);
  }

  @Test
  void kueueQueueLabelsTheJobAndStartsItSuspendedThenLeavesSuspendToKueue() {
    DistillationJob dj = Fixtures.distillationJob("queued");
    dj.getSpec().queueName = "team-a";
    Job created = TrainerJobDependent.desired(dj, SETTINGS, null);
    assertThat(created.getMetadata().getLabels())
        .containsEntry("kueue.x-k8s.io/queue-name", "team-a");
    assertThat(created.getSpec().getSuspend()).isTrue();
    assertThat(TrainerJobDependent.desired(dj, SETTINGS, false).getSpec().getSuspend()).isFalse();
    assertThat(TrainerJobDependent.desired(dj, SETTINGS, true).getSpec().getSuspend()).isTrue();
    dj.getSpec().suspend = true;
    assertThat(TrainerJobDependent.desired(dj, SETTINGS, false).getSpec().getSuspend()).isTrue();
  }

  @Test
  void suspendFollowsTheSpecWithoutAQueue() {
    DistillationJob dj = Fixtures.distillationJob("plain");
    dj.getSpec().suspend = true;
    assertThat(TrainerJobDependent.desired(dj, SETTINGS, false).getSpec().getSuspend()).isTrue();
    dj.getSpec().suspend = false;
    assertThat(TrainerJobDependent.desired(dj, SETTINGS, true).getSpec().getSuspend()).isFalse();
  }

  private static Container container(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String hash(Job job) {
    return job.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.CONFIG_HASH);
  }

  private static List<String> claims(PodSpec pod) {
    return pod.getVolumes().stream()
        .map(Volume::getPersistentVolumeClaim)
        .filter(c -> c != null)
        .map(c -> c.getClaimName())
        .toList();
  }
}
