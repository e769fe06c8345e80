package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.CanaryProbeReport;
import io.distillery.operator.api.v1alpha1.CanaryQualitySpec;
import io.distillery.operator.api.v1alpha1.PlacementSpec;
import io.distillery.operator.api.v1alpha1.ResourcesSpec;
import io.distillery.operator.api.v1alpha1.RolloutSpec;
import io.distillery.operator.api.v1alpha1.RolloutStrategy;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Labels;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Statuses;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The probe Job's pod (placement without GPUs) and how a finished probe pod is read. */
class ProbeJobsTest {
  static final String B = Fixtures.digest('b');
  static final Instant START = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void theProbePodTakesThePlacementButNoGpuAndItsOwnResources() {
    StudentDeployment sd = withQuality();
    sd.getSpec().resources = new ResourcesSpec();
    sd.getSpec().resources.gpus = 1;
    sd.getSpec().placement = new PlacementSpec();
    sd.getSpec().placement.nodeSelector = Map.of("nvidia.com/gpu.present", "true");
    sd.getSpec().placement.priorityClassName = "serving";
    var job = ProbeJobs.job(sd, B, List.of(pod("10.0.0.7")), List.of(pod("fd00::1")), settings());
    var spec = job.getSpec().getTemplate().getSpec();
    assertThat(spec.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(spec.getPriorityClassName()).isEqualTo("serving");
    var resources = spec.getContainers().get(0).getResources();
    assertThat(resources.getRequests())
        .containsOnly(
            Map.entry("cpu", new Quantity("500m")), Map.entry("memory", new Quantity("1536Mi")));
    assertThat(resources.getLimits()).containsOnlyKeys("memory");
    assertThat(spec.getContainers().get(0).getArgs())
        .containsSubsequence(
            "--canary", "http://10.0.0.7:8080", "--stable", "http://[fd00::1]:8080");
    assertThat(job.getMetadata().getName()).isEqualTo("s-probe-bbbbbbbb");
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);

    sd.getSpec().rollout.analysis.quality.resources = new CanaryQualitySpec.ProbeResources();
    sd.getSpec().rollout.analysis.quality.resources.memory = new Quantity("3Gi");
    var bigger =
        ProbeJobs.job(sd, B, List.of(pod("10.0.0.7")), List.of(pod("10.0.0.8")), settings());
    assertThat(
            bigger
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits())
        .containsEntry("memory", new Quantity("3Gi"));
  }

  @Test
  void onlyAFinishedPodOfThisCanaryCountsAndOneWithoutAReportSaysWhy() {
    StudentDeployment sd = withQuality();
    CanaryProbeReport report = new CanaryProbeReport();
    report.status = CanaryProbeReport.MEASURED;
    report.probes = 8;
    Pod earlier = probePod(sd, "old", START.minusSeconds(60), finished(report.toJson(), 0));
    Pod running = probePod(sd, "new", START.plusSeconds(1), Statuses.running("10.0.0.9"));
    assertThat(ProbeJobs.outcome(List.of(earlier, running), sd, B, START)).isEmpty();

    Pod done = probePod(sd, "new", START.plusSeconds(1), finished(report.toJson(), 0));
    assertThat(
            ProbeJobs.outcome(List.of(earlier, done), sd, B, START).orElseThrow().report().probes)
        .isEqualTo(8);
    Pod otherCanary = probePod(sd, "new", START.plusSeconds(1), finished(report.toJson(), 0));
    otherCanary.getMetadata().getAnnotations().put(Labels.MODEL_DIGEST, Fixtures.digest('c'));
    assertThat(ProbeJobs.outcome(List.of(otherCanary), sd, B, START)).isEmpty();

    Pod crashed = probePod(sd, "new", START.plusSeconds(1), finished("", 2));
    var outcome = ProbeJobs.outcome(List.of(crashed), sd, B, START).orElseThrow();
    assertThat(outcome.report()).isNull();
    assertThat(outcome.failure()).contains("exited 2").contains("without a report");
  }

  private static PodStatus finished(String message, int exitCode) {
    PodStatus s =
        Statuses.terminated(exitCode == 0 ? "Succeeded" : "Failed", exitCode, "Completed", message);
    s.getContainerStatuses().get(0).setName(ProbeJobs.CONTAINER);
    return s;
  }

  private static Pod probePod(StudentDeployment sd, String name, Instant created, PodStatus s) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withCreationTimestamp(created.toString())
        .withLabels(ProbeJobs.labels(sd))
        .addToAnnotations(Labels.MODEL_DIGEST, B)
        .endMetadata()
        .withStatus(s)
        .build();
  }

  private static Pod pod(String ip) {
    return new PodBuilder()
        .withNewSpec()
        .addNewContainer()
        .addNewPort()
        .withName(StudentNames.HTTP_PORT_NAME)
        .withContainerPort(StudentNames.HTTP_PORT)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP(ip)
        .endStatus()
        .build();
  }

  private static StudentDeployment withQuality() {
    StudentDeployment sd = Fixtures.studentDeployment("s", Fixtures.digest('a'));
    sd.getSpec().rollout = new RolloutSpec();
    sd.getSpec().rollout.strategy = RolloutStrategy.Canary;
    sd.getSpec().rollout.analysis = new RolloutSpec.AnalysisSpec();
    sd.getSpec().rollout.analysis.quality = new CanaryQualitySpec();
    return sd;
  }

  private static OperatorSettings settings() {
    return OperatorSettings.defaults();
  }
}
