package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentDeploymentStatus;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A serving container that exits (exit 2 for {@code --device gpu} on a node without a visible GPU)
 * is the reason the StudentDeployment is not available, with mdt's line naming what it found.
 */
class ServerFailureStatusTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults();
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
  static final String A = Fixtures.digest('a');

  @Test
  void aServerExitingWithNoVisibleGpuIsServerFailedNamingWhatItFound() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", A);
    sd.getSpec().resources = new ResourcesSpec();
    sd.getSpec().resources.gpus = 1;
    String line =
        "mdt: device: gpu was requested but the PyTorch engine finds no CUDA device; found: 0"
            + " GPU(s) visible to libtorch 2.7.1 at /opt/djl/pytorch/2.7.1-cu128-linux-x86_64;"
            + " NVIDIA driver: none (/proc/driver/nvidia/version not readable)";
    Pod pod =
        servingPod(
            sd,
            "shapes-abc",
            new ContainerStatusBuilder()
                .withName(StudentNames.CONTAINER)
                .withState(
                    new ContainerStateBuilder()
                        .withNewWaiting()
                        .withReason("CrashLoopBackOff")
                        .endWaiting()
                        .build())
                .withLastState(
                    new ContainerStateBuilder()
                        .withNewTerminated()
                        .withExitCode(2)
                        .withMessage("loading...\n" + line + "\n")
                        .endTerminated()
                        .build())
                .build());
    StudentDeploymentStatus s = next(sd, List.of(pod));
    var available = Conditions.find(s.conditions, StudentConditions.AVAILABLE).orElseThrow();
    assertThat(available.getStatus()).isEqualTo("False");
    assertThat(available.getReason()).isEqualTo(StudentConditions.SERVER_FAILED);
    assertThat(available.getMessage())
        .contains("0/3 serving pods ready")
        .contains("pod shapes-abc: container serve exited with code 2")
        .contains(line);
  }

  @Test
  void aRunningServerIsNoProblem() {
    StudentDeployment sd = Fixtures.studentDeployment("shapes", A);
    Pod pod =
        servingPod(
            sd,
            "shapes-abc",
            new ContainerStatusBuilder()
                .withName(StudentNames.CONTAINER)
                .withState(new ContainerStateBuilder().withNewRunning().endRunning().build())
                .build());
    assertThat(Conditions.reason(next(sd, List.of(pod)).conditions, StudentConditions.AVAILABLE))
        .isEqualTo(StudentConditions.REPLICAS_NOT_READY);
  }

  private static StudentDeploymentStatus next(StudentDeployment sd, List<Pod> pods) {
    SourceResolution source = SourceResolution.of(sd, null);
    Deployment stable = ServingDeployments.stable(sd, source.model(), SETTINGS);
    stable.getMetadata().setGeneration(1L);
    stable.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(1L)
            .withReplicas(3)
            .withUpdatedReplicas(3)
            .withReadyReplicas(0)
            .build());
    return ServingStatusMapper.next(
        sd,
        new ServingObservation(
            source,
            RolloutPlan.of(sd, source),
            stable,
            null,
            Optional::empty,
            Optional::empty,
            Optional::empty,
            pods),
        T0);
  }

  private static Pod servingPod(StudentDeployment sd, String name, ContainerStatus serve) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(StudentNames.labels(sd, StudentNames.STABLE))
        .withAnnotations(Map.of(Labels.MODEL_DIGEST, A))
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withContainerStatuses(serve)
        .endStatus()
        .build();
  }
}
