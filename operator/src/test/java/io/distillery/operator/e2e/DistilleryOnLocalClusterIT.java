package io.distillery.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.fakes.ChartOperator;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ChartRelease;
import io.distillery.operator.testing.harnesses.CommandReport;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The user's path on the local cluster of {@code hack/cluster} (etcd, kube-apiserver,
 * controller-manager, scheduler, kwok nodes): {@code helm install} of the chart with the real helm
 * binary (bad values refused by the schema first), then the examples applied with the real kubectl
 * and what {@code kubectl get distillationjobs} and {@code kubectl describe} show.
 *
 * <p>There is no container runtime, so the chart's operator pod is only simulated by kwok; the
 * operator itself runs in-process as the chart's ServiceAccount ({@link ChartOperator}). kwok plays
 * the examples' trainer pods: they are scheduled by the real scheduler and run and finish without
 * running {@code mdt}. {@link RealMdtOnLocalClusterIT} runs the real {@code mdt} in them instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistilleryOnLocalClusterIT {
  static final String OPERATOR_NS = ChartRelease.NAMESPACE;
  static final String NS = "team-a";
  static CommandReport report;
  static LocalCluster cluster;
  static KubernetesClient admin;
  static Path kubeconfig;
  static ChartOperator operator;

  @BeforeAll
  static void up() throws Exception {
    long start = System.nanoTime();
    cluster = LocalCluster.start();
    admin = cluster.client();
    kubeconfig = cluster.stateDir().resolve("kubeconfig");
    report = CommandReport.at(Path.of("target", "e2e-local-cluster.txt"));
    report.add("# hack/cluster up", String.format("%.1f s", (System.nanoTime() - start) / 1e9));
  }

  @AfterAll
  static void down() throws Exception {
    if (operator != null) operator.close();
    if (cluster != null) {
      long start = System.nanoTime();
      cluster.close();
      report.add("# hack/cluster down", String.format("%.1f s", (System.nanoTime() - start) / 1e9));
    }
  }

  @Test
  @Order(1)
  void installWithBadValuesFailsWithTheSchemasMessageAndCreatesNoRelease() {
    var result = ChartRelease.install(kubeconfig, "--set", "watchNamespaces={Team_A}");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains("values don't meet the specifications of the schema")
        .contains("at '/watchNamespaces/0': 'Team_A' does not match pattern");
    // No release and none of the templates' objects. (Helm installs the chart's crds/ directory
    // before it checks the values, so the CRDs may exist already; docs/reference.md,
    // troubleshooting.)
    assertThat(Binaries.helm(kubeconfig, "list", "-A", "-q").requireSuccess().output()).isBlank();
    assertThat(admin.rbac().clusterRoles().withName("distillery").get()).isNull();
    assertThat(admin.apps().deployments().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  @Order(2)
  void chartInstallsAndItsDeploymentBecomesAvailable() throws IOException {
    var install = ChartRelease.install(kubeconfig);
    report.add(
        "$ helm install distillery charts/distillery -n distillery-system --wait",
        install.output());
    assertThat(install.exitCode()).as(install.output()).isZero();
    assertThat(install.output()).contains("STATUS: deployed");
    assertThat(distillationJobCrd()).isNotNull();
    Deployment deployment =
        admin.apps().deployments().inNamespace(OPERATOR_NS).withName("distillery").get();
    assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(1);
    assertThat(admin.rbac().clusterRoles().withName("distillery").get()).isNotNull();
    assertThat(admin.serviceAccounts().inNamespace(OPERATOR_NS).withName("distillery").get())
        .isNotNull();
    assertThat(admin.configMaps().inNamespace(OPERATOR_NS).withName("distillery-dashboard").get())
        .isNotNull();
  }

  @Test
  @Order(3)
  void examplesRunAndKubectlShowsThem() throws Exception {
    // Storage for the claims (no provisioner in the local cluster): static volumes the real
    // PV controller binds.
    for (int i = 0; i < 6; i++) {
      admin
          .persistentVolumes()
          .resource(Storage.hostPathVolume("local-pv-" + i, "/tmp/distillery-pv-" + i, "20Gi"))
          .create();
    }
    Binaries.kubectl(kubeconfig, "create", "namespace", NS).requireSuccess();
    operator = ChartOperator.start(admin, kubeconfig, OPERATOR_NS, ChartRelease.NAME);

    // Every example, in one namespace, as a user trying them out would.
    List<Path> examples;
    try (var files = Files.list(ControlPlane.repo().resolve("examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path example : examples) {
      var applied = Binaries.kubectl(kubeconfig, "apply", "-n", NS, "-f", example.toString());
      report.add(
          "$ kubectl apply -n team-a -f examples/" + example.getFileName(), applied.output());
      assertThat(applied.exitCode()).as(applied.output()).isZero();
    }
    Set<String> jobs = phases().keySet();
    assertThat(jobs).contains("shapes-cpu", "shapes-gpu", "torchscript-teacher");

    // Each job gets its trainer Job, configured by the chart's values, placed by the scheduler.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (String job : jobs) {
                assertThat(trainerPod(job)).as("pod of %s", job).isNotNull();
                assertThat(trainerPod(job).getSpec().getNodeName())
                    .as("%s scheduled", job)
                    .isNotNull();
              }
            });
    assertThat(trainerPod("shapes-gpu").getSpec().getNodeName()).isEqualTo("gpu-node-1");
    assertThat(trainerPod("torchscript-teacher").getSpec().getNodeName()).isEqualTo("gpu-node-1");
    assertThat(trainerPod("shapes-gpu").getSpec().getContainers().get(0).getImage())
        .isEqualTo("ghcr.io/distillery/mdt:0.1.0");

    // The simulated trainer pods finish; the jobs settle and kubectl shows their phase.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(phases())
                    .containsOnlyKeys(jobs)
                    .allSatisfy((name, phase) -> assertThat(phase).isIn("Succeeded", "Failed")));
    var get = Binaries.kubectl(kubeconfig, "get", "distillationjobs", "-n", NS).requireSuccess();
    report.add("$ kubectl get distillationjobs -n team-a", get.output());
    List<String> lines = get.output().lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly("NAME", "PHASE", "PROGRESS", "SPEEDUP", "QUALITY", "AGE");
    Map<String, String> phases = phases();
    for (String name : phases.keySet()) {
      assertThat(lines).anyMatch(l -> l.startsWith(name + " ") && l.contains(phases.get(name)));
    }

    var describe =
        Binaries.kubectl(kubeconfig, "describe", "distillationjob", "shapes-gpu", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl describe distillationjob shapes-gpu -n team-a", describe.output());
    assertThat(describe.output())
        .contains("Trainer Job:  shapes-gpu")
        .contains("Events:")
        .containsPattern(
            "Normal +Succeeded .* distillery-operator +Succeeded: the trainer finished")
        // kwok's simulated container writes no termination message, so there is no result: the
        // operator says so instead of inventing one.
        .contains("termination message held no valid result JSON");
    // examples/studentdeployment-canary.yaml serves shapes-v1, which finished without a result
    // (kwok runs no mdt): the StudentDeployment says so and serves nothing.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Binaries.kubectl(
                                kubeconfig, "describe", "studentdeployment", "shapes", "-n", NS)
                            .requireSuccess()
                            .output())
                    .contains("SourceInvalid")
                    .contains(
                        "DistillationJob shapes-v1 succeeded without an artifact and digest"));
    var both =
        Binaries.kubectl(kubeconfig, "get", "distillationjobs,studentdeployments", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl get distillationjobs,studentdeployments -n team-a", both.output());
    assertThat(both.output())
        .contains("distillationjob.distillery.io/shapes-gpu")
        .contains("studentdeployment.distillery.io/shapes")
        .containsPattern("NAME +PHASE +READY +MODEL +SERVING +ROLLOUT +SPEEDUP +URL +AGE");
    report.add(
        "$ kubectl describe studentdeployment shapes -n team-a",
        Binaries.kubectl(kubeconfig, "describe", "studentdeployment", "shapes", "-n", NS).output());

    // The categories of the CRDs: `kubectl get distillery` lists them too.
    assertThat(
            Binaries.kubectl(kubeconfig, "get", "distillery", "-n", NS, "-o", "name")
                .requireSuccess()
                .output())
        .contains("distillationjob.distillery.io/shapes-cpu")
        .contains("studentdeployment.distillery.io/shapes");
  }

  @Test
  @Order(4)
  void brokenManifestsAreRefusedAtAdmissionNamingTheField() throws IOException {
    Path dir = ControlPlane.repo().resolve("operator/src/test/resources/invalid-manifests");
    List<Path> manifests;
    try (var files = Files.list(dir)) {
      manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(manifests).hasSizeGreaterThan(5);
    for (Path manifest : manifests) {
      String expected =
          Files.readString(manifest).lines().findFirst().orElseThrow().replace("# expect: ", "");
      var applied = Binaries.kubectl(kubeconfig, "apply", "-n", NS, "-f", manifest.toString());
      assertThat(applied.exitCode()).as("%s: %s", manifest, applied.output()).isNotZero();
      assertThat(applied.output()).as("%s", manifest).contains(expected);
    }
    // Nothing of them was stored.
    assertThat(phases())
        .doesNotContainKeys("bad", "a-distillation-job-name-that-is-far-too-long-for-its-pods");
  }

  @Test
  @Order(5)
  void upgradeChangesTheDeploymentAndBadValuesLeaveTheReleaseAsItWas() throws IOException {
    var upgrade =
        ChartRelease.upgrade(
            kubeconfig, "--set", "trainer.image=ghcr.io/distillery/mdt:0.2.0", "--wait");
    report.add(
        "$ helm upgrade distillery charts/distillery --set trainer.image=...:0.2.0",
        upgrade.output());
    assertThat(upgrade.exitCode()).as(upgrade.output()).isZero();
    assertThat(upgrade.output()).contains("REVISION: 2").contains("STATUS: deployed");
    assertThat(operatorEnv())
        .containsEntry("DISTILLERY_TRAINER_IMAGE", "ghcr.io/distillery/mdt:0.2.0");

    var bad = ChartRelease.upgrade(kubeconfig, "--set", "replicaCount=-1");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.output()).contains("values don't meet the specifications of the schema");
    var history =
        Binaries.helm(kubeconfig, "history", "distillery", "-n", OPERATOR_NS).requireSuccess();
    report.add("$ helm history distillery -n distillery-system", history.output());
    assertThat(history.output().lines().skip(1).toList())
        .as("no revision for the refused upgrade")
        .hasSize(2)
        .last()
        .asString()
        .contains("deployed");
    assertThat(operatorEnv())
        .containsEntry("DISTILLERY_TRAINER_IMAGE", "ghcr.io/distillery/mdt:0.2.0");
  }

  @Test
  @Order(6)
  void uninstallRemovesTheOperatorButKeepsTheCrdsAndTheUsersResources() throws IOException {
    operator.close();
    operator = null;
    var uninstall =
        Binaries.helm(kubeconfig, "uninstall", "distillery", "-n", OPERATOR_NS, "--wait");
    report.add("$ helm uninstall distillery -n distillery-system", uninstall.output());
    assertThat(uninstall.exitCode()).as(uninstall.output()).isZero();
    assertThat(admin.apps().deployments().inNamespace(OPERATOR_NS).withName("distillery").get())
        .isNull();
    assertThat(admin.rbac().clusterRoles().withName("distillery").get()).isNull();
    assertThat(admin.rbac().clusterRoleBindings().withName("distillery").get()).isNull();
    assertThat(admin.serviceAccounts().inNamespace(OPERATOR_NS).withName("distillery").get())
        .isNull();
    assertThat(admin.configMaps().inNamespace(OPERATOR_NS).withName("distillery-dashboard").get())
        .isNull();
    // Helm never deletes the chart's crds/: the users' jobs and their status survive.
    assertThat(distillationJobCrd()).isNotNull();
    assertThat(phases()).containsKeys("shapes-cpu", "shapes-gpu", "torchscript-teacher");
  }

  static Object distillationJobCrd() {
    return admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("distillationjobs.distillery.io")
        .get();
  }

  static Map<String, String> operatorEnv() {
    return ChartOperator.env(
        admin.apps().deployments().inNamespace(OPERATOR_NS).withName(ChartRelease.NAME).get());
  }

  static Pod trainerPod(String job) {
    return admin.pods().inNamespace(NS).withLabel("job-name", job).list().getItems().stream()
        .findFirst()
        .orElse(null);
  }

  static Map<String, String> phases() {
    return Manifests.untyped(admin).inNamespace(NS).list().getItems().stream()
        .collect(
            Collectors.toMap(
                (GenericKubernetesResource d) -> d.getMetadata().getName(),
                d -> String.valueOf(d.<String>get("status", "phase"))));
  }
}
