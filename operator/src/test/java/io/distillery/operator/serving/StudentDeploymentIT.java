package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.distillery.config.CanaryProbeReport;
import io.distillery.config.PairDigest;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentConditions;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.Labels;
import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fakes.MetricsServer;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.Statuses;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The StudentDeployment controller in-process against a real kube-apiserver: waiting for the source
 * job, creation, a rolling update, retrain-and-deploy through a canary that is promoted, a canary
 * rolled back on its error rate, and admission. {@link ClusterSimulator} plays the deployment
 * controller and kubelet (loopback pod IPs only); {@link MetricsServer} plays the serving pods'
 * {@code /metrics}.
 */
class StudentDeploymentIT {
  static final String A = Fixtures.digest('a');
  static final String B = Fixtures.digest('b');

  static TestApiServer api;
  static KubernetesClient client;
  static OperatorHarness operator;
  static ClusterSimulator sim;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    operator = OperatorHarness.startStudentDeployments(client);
    sim = new ClusterSimulator(client);
    await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    if (api != null) api.close();
  }

  @Test
  void waitsForTheSourceJobToSucceedThenServesIt() throws Exception {
    String ns = api.newNamespace("wait");
    apply(ns, studentDeployment("web", "source: {distillationJobRef: shapes-v1}\nreplicas: 2"));
    awaitSource(ns, "web", StudentConditions.SOURCE_NOT_FOUND);
    assertThat(get(ns, "web").getStatus().phase).isEqualTo(StudentPhase.Pending);
    assertThat(events(ns, "web"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo(StudentConditions.SOURCE_NOT_FOUND);
              assertThat(e.getType()).isEqualTo("Warning");
            });

    createJob(ns, "shapes-v1");
    awaitSource(ns, "web", StudentConditions.SOURCE_NOT_SUCCEEDED);
    assertThat(deployment(ns, "web")).as("nothing runs before the job succeeded").isNull();

    succeed(ns, "shapes-v1", A, false);
    awaitSource(ns, "web", StudentConditions.SOURCE_GATE_FAILED);
    succeed(ns, "shapes-v1", A, true);

    Deployment d = await().until(() -> deployment(ns, "web"), x -> x != null);
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getArgs())
        .containsExactly(
            "serve",
            "--model",
            "/var/lib/distillery/model/shapes-v1/student",
            "--port",
            "8080",
            "--drain-timeout-s",
            "30");
    assertThat(pod.getVolumes())
        .anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
    assertThat(d.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("StudentDeployment"));
    Service svc = client.services().inNamespace(ns).withName("web").get();
    assertThat(svc.getSpec().getSelector()).containsEntry(Labels.STUDENT_DEPLOYMENT, "web");
    awaitPhase(ns, "web", StudentPhase.Progressing);

    sim.rollOut(d, 10, 9);
    awaitPhase(ns, "web", StudentPhase.Available);
    var status = get(ns, "web").getStatus();
    assertThat(status.url).isEqualTo("http://web." + ns + ".svc:80");
    assertThat(status.readyReplicas).isEqualTo(2);
    assertThat(status.currentDigest).isEqualTo(A);
    assertThat(status.speedup).isEqualTo("21.4x@1");
    String table = api.runKubectl("get", "sd", "-n", ns);
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "PHASE", "READY", "MODEL", "SPEEDUP", "URL", "AGE");
    assertThat(table).contains("Available", "2/2", "shapes-v1@sha256:aaaaaaaa", "21.4x@1");

    // Settled: no further status writes.
    String rv = get(ns, "web").getMetadata().getResourceVersion();
    Thread.sleep(2500);
    assertThat(get(ns, "web").getMetadata().getResourceVersion()).isEqualTo(rv);

    // A serving pod loses readiness: Degraded with a Warning, not a new rollout.
    sim.deploymentStatus(deployment(ns, "web"), 2, 1);
    awaitPhase(ns, "web", StudentPhase.Degraded);
    assertThat(Conditions.reason(get(ns, "web").getStatus().conditions, "Progressing"))
        .isEqualTo(StudentConditions.ROLLOUT_COMPLETE);
    await()
        .untilAsserted(
            () ->
                assertThat(events(ns, "web"))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo(StudentConditions.REPLICAS_NOT_READY);
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getMessage()).isEqualTo("Degraded: 1/2 serving pods ready");
                        }));
    sim.deploymentStatus(deployment(ns, "web"), 2, 2);
    awaitPhase(ns, "web", StudentPhase.Available);
  }

  @Test
  void rollingUpdateMovesThePodsToANewModelAndAutoscalingAddsAnHpa() {
    String ns = api.newNamespace("rolling");
    apply(ns, studentDeployment("roll", modelUri(A) + "\nreplicas: 2"));
    Deployment d = await().until(() -> deployment(ns, "roll"), x -> x != null);
    sim.rollOut(d, 20, 9);
    awaitPhase(ns, "roll", StudentPhase.Available);

    apply(
        ns,
        studentDeployment(
            "roll", modelUri(B) + "\nreplicas: 2\nautoscaling: {minReplicas: 2, maxReplicas: 5}"));
    Deployment rolled = await().until(() -> deployment(ns, "roll"), x -> B.equals(digestOf(x)));
    awaitPhase(ns, "roll", StudentPhase.Progressing);
    assertThat(get(ns, "roll").getStatus().previousDigest).isEqualTo(A);
    HorizontalPodAutoscaler hpa =
        await()
            .until(
                () ->
                    client
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withName("roll")
                        .get(),
                x -> x != null);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(5);

    sim.rollOut(rolled, 30, 9);
    awaitPhase(ns, "roll", StudentPhase.Available);
    assertThat(get(ns, "roll").getStatus().currentDigest).isEqualTo(B);
  }

  @Test
  void retrainedJobRollsForwardThroughACanaryThatIsPromoted() {
    try (MetricsServer metrics = new MetricsServer()) {
      String ns = api.newNamespace("canary");
      createJob(ns, "shapes-v1");
      succeed(ns, "shapes-v1", A, true);
      apply(ns, studentDeployment("web", "source: {distillationJobRef: shapes-v1}\n" + CANARY));
      sim.rollOut(await().until(() -> deployment(ns, "web"), x -> x != null), 40, 9);
      awaitPhase(ns, "web", StudentPhase.Available);

      createJob(ns, "shapes-v2");
      succeed(ns, "shapes-v2", B, true);
      apply(ns, studentDeployment("web", "source: {distillationJobRef: shapes-v2}\n" + CANARY));
      Deployment canary = await().until(() -> deployment(ns, "web-canary"), x -> x != null);
      assertThat(digestOf(canary)).isEqualTo(B);
      assertThat(canary.getSpec().getReplicas()).isEqualTo(1);
      assertThat(digestOf(deployment(ns, "web"))).as("stable keeps serving").isEqualTo(A);
      awaitPhase(ns, "web", StudentPhase.Progressing);

      metrics.count(10, 0, 0);
      sim.rollOut(canary, 1, metrics.port());
      await().until(() -> canaryState(ns, "web"), StudentConditions.CANARY_ANALYSING::equals);
      metrics.count(200, 1, 30);

      await().atMost(Duration.ofSeconds(20)).until(() -> deployment(ns, "web-canary") == null);
      var status = get(ns, "web").getStatus();
      assertThat(status.canary.state).isEqualTo(StudentConditions.CANARY_PROMOTED);
      assertThat(status.canary.requests).isEqualTo(231);
      assertThat(status.canary.errors).isEqualTo(1);
      assertThat(status.currentDigest).isEqualTo(B);
      assertThat(status.previousDigest).isEqualTo(A);
      Deployment stable = await().until(() -> deployment(ns, "web"), x -> B.equals(digestOf(x)));
      sim.rollOut(stable, 60, 9);
      awaitPhase(ns, "web", StudentPhase.Available);
      assertThat(
              operator
                  .registry()
                  .find(StudentMetrics.ROLLOUTS)
                  .tag("outcome", "promoted")
                  .counters())
          .isNotEmpty();
    }
  }

  @Test
  void canaryWithTooManyServerErrorsIsRolledBack() {
    try (MetricsServer metrics = new MetricsServer()) {
      String ns = api.newNamespace("rollback");
      apply(ns, studentDeployment("web", modelUri(A) + "\n" + CANARY));
      sim.rollOut(await().until(() -> deployment(ns, "web"), x -> x != null), 70, 9);
      awaitPhase(ns, "web", StudentPhase.Available);

      apply(ns, studentDeployment("web", modelUri(B) + "\n" + CANARY));
      Deployment canary = await().until(() -> deployment(ns, "web-canary"), x -> x != null);
      sim.rollOut(canary, 1, metrics.port());
      await().until(() -> canaryState(ns, "web"), StudentConditions.CANARY_ANALYSING::equals);
      metrics.count(80, 20, 0);

      awaitPhase(ns, "web", StudentPhase.RolledBack);
      await().until(() -> deployment(ns, "web-canary") == null);
      var status = get(ns, "web").getStatus();
      assertThat(status.currentDigest).isEqualTo(A);
      assertThat(digestOf(deployment(ns, "web"))).isEqualTo(A);
      assertThat(status.canary.message).contains("error rate 0.2000");
      assertThat(
              Conditions.find(status.conditions, StudentConditions.PROGRESSING)
                  .orElseThrow()
                  .getMessage())
          .contains("still serving");
      assertThat(events(ns, "web"))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo(StudentConditions.ROLLED_BACK);
                assertThat(e.getType()).isEqualTo("Warning");
              });
    }
  }

  @Test
  void aPairOfStageJobsIsServedAsOneVersionWithBothMountsArgsAndDigests() throws Exception {
    String ns = api.newNamespace("pair");
    String pairSpec =
        "source: {distillationJobRef: chairs, appearance: {distillationJobRef: %s}}\n"
            + "replicas: 2\n"
            + "rollout: {strategy: Canary, canaryReplicas: 1, progressDeadlineSeconds: 600}";
    createJob(ns, "chairs");
    succeed(ns, "chairs", A, true);
    createJob(ns, "not-rgb");
    succeed(ns, "not-rgb", B, true);
    apply(ns, studentDeployment("coloured", pairSpec.formatted("not-rgb")));
    awaitSource(ns, "coloured", StudentConditions.SOURCE_WRONG_STAGE);
    assertThat(Conditions.find(get(ns, "coloured").getStatus().conditions, "SourceReady"))
        .get()
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .startsWith("appearance stage: DistillationJob not-rgb distills the structure")
                    .contains("spec.stage: appearance"));
    assertThat(deployment(ns, "coloured")).as("nothing runs for a wrong stage").isNull();

    createAppearanceJob(ns, "chairs-rgb");
    apply(ns, studentDeployment("coloured", pairSpec.formatted("chairs-rgb")));
    awaitSource(ns, "coloured", StudentConditions.SOURCE_NOT_SUCCEEDED);
    succeed(ns, "chairs-rgb", "pvc://colours/chairs-rgb/student", B, true);

    Deployment d = await().until(() -> deployment(ns, "coloured"), x -> x != null);
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSequence("--model", "/var/lib/distillery/model/chairs/student")
        .containsSequence("--appearance", "/var/lib/distillery/appearance/chairs-rgb/student");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getPersistentVolumeClaim() != null)
        .extracting(v -> v.getName() + "=" + v.getPersistentVolumeClaim().getClaimName())
        .containsExactly("model=artifacts", "appearance=colours");
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .filteredOn(m -> !m.getName().equals("tmp"))
        .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue())
        .hasSize(2);
    String v1 = PairDigest.of(A, B);
    assertThat(digestOf(d)).isEqualTo(v1);

    sim.rollOut(d, 10, 9);
    awaitPhase(ns, "coloured", StudentPhase.Available);
    var status = get(ns, "coloured").getStatus();
    assertThat(status.currentDigest).isEqualTo(v1);
    assertThat(status.stages)
        .extracting(x -> x.stage + " " + x.source + " " + x.model + " " + x.digest)
        .containsExactly(
            "structure chairs pvc://artifacts/chairs/student " + A,
            "appearance chairs-rgb pvc://colours/chairs-rgb/student " + B);
    String table = api.runKubectl("get", "sd", "-n", ns);
    assertThat(table).contains("chairs+chairs-rgb@" + v1.substring(0, 15));

    // Only the appearance stage is retrained: a new version, canaried as a pair.
    String c = Fixtures.digest('c');
    createAppearanceJob(ns, "chairs-rgb-v2");
    succeed(ns, "chairs-rgb-v2", "pvc://colours/chairs-rgb-v2/student", c, true);
    apply(ns, studentDeployment("coloured", pairSpec.formatted("chairs-rgb-v2")));
    Deployment canary =
        await()
            .until(
                () -> client.apps().deployments().inNamespace(ns).withName("coloured-canary").get(),
                x -> x != null);
    assertThat(digestOf(canary)).isEqualTo(PairDigest.of(A, c));
    assertThat(canary.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSequence("--model", "/var/lib/distillery/model/chairs/student")
        .containsSequence("--appearance", "/var/lib/distillery/appearance/chairs-rgb-v2/student");
    assertThat(
            deployment(ns, "coloured")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .as("the stable pods keep the whole current pair")
        .containsSequence("--appearance", "/var/lib/distillery/appearance/chairs-rgb/student");
    assertThat(digestOf(deployment(ns, "coloured"))).isEqualTo(v1);
    await()
        .untilAsserted(
            () ->
                assertThat(get(ns, "coloured").getStatus().canary.stages)
                    .extracting(x -> x.digest)
                    .containsExactly(A, c));

    assertRefused(
        ns,
        "source: {modelUri: 'pvc://c/m', digest: '"
            + A
            + "', appearance: {distillationJobRef: x, modelUri: 'pvc://c/a', digest: '"
            + B
            + "'}}",
        "source.appearance: set exactly one of distillationJobRef");
    assertRefused(
        ns,
        "source: {distillationJobRef: s, appearance: {modelUri: 'pvc://c/a'}}",
        "source.appearance.digest");
  }

  @Test
  void aProbeJobJudgesTheCanarysOutputsAndABadReportRollsItBackNamingTheFigure() {
    try (MetricsServer metrics = new MetricsServer()) {
      String ns = api.newNamespace("quality");
      apply(ns, studentDeployment("web", modelUri(A) + "\n" + QUALITY));
      sim.rollOut(await().until(() -> deployment(ns, "web"), x -> x != null), 80, 9);
      awaitPhase(ns, "web", StudentPhase.Available);

      apply(ns, studentDeployment("web", modelUri(B) + "\n" + QUALITY));
      Deployment canary = await().until(() -> deployment(ns, "web-canary"), x -> x != null);
      sim.rollOut(canary, 1, metrics.port());
      Job job = await().until(() -> probeJob(ns, "web-probe-bbbbbbbb"), x -> x != null);
      var sd = get(ns, "web");
      assertThat(sd.getStatus().canary.quality.probeJob).isEqualTo("web-probe-bbbbbbbb");
      assertThat(sd.getStatus().canary.quality.state).isEqualTo("Running");

      var owner = job.getMetadata().getOwnerReferences().get(0);
      assertThat(owner.getKind()).isEqualTo("StudentDeployment");
      assertThat(owner.getUid()).isEqualTo(sd.getMetadata().getUid());
      assertThat(owner.getController()).isTrue();
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(2L + 30);
      var pod = job.getSpec().getTemplate();
      assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
      var container = pod.getSpec().getContainers().get(0);
      assertThat(container.getImage())
          .isEqualTo(
              deployment(ns, "web")
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getImage());
      assertThat(container.getArgs())
          .containsExactly(
              "probe",
              "--canary",
              "http://127.0.0.1:" + metrics.port(),
              "--stable",
              "http://127.0.0.80:9,http://127.0.0.81:9,http://127.0.0.82:9",
              "--probes",
              "8",
              "--seed",
              "7",
              "--classes",
              "chair,table",
              "--timeout",
              "2",
              "--report",
              "/dev/termination-log");
      assertThat(container.getTerminationMessagePolicy()).isEqualTo("File");
      assertThat(container.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
      assertThat(pod.getMetadata().getLabels())
          .containsEntry(Labels.COMPONENT, "probe")
          .containsEntry(Labels.PROBE_OF, "web")
          .doesNotContainKeys(Labels.STUDENT_DEPLOYMENT, Labels.TRACK);

      // The probe pod finishes (exit 0, measured) with a report of a canary that draws nothing.
      finishProbe(job, "web-probe-bbbbbbbb-x", badReport());
      Service service = client.services().inNamespace(ns).withName("web").get();
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .withLabels(service.getSpec().getSelector())
                  .list()
                  .getItems())
          .as("the Service selects the serving pods only")
          .isNotEmpty()
          .noneMatch(p -> p.getMetadata().getName().startsWith("web-probe-"));
      awaitPhase(ns, "web", StudentPhase.RolledBack);
      await().until(() -> deployment(ns, "web-canary") == null);
      var status = get(ns, "web").getStatus();
      assertThat(status.currentDigest).isEqualTo(A);
      assertThat(status.canary.reason).isEqualTo("empty_rate");
      assertThat(status.canary.quality.emptyRate).isEqualTo(0.62);
      assertThat(status.canary.quality.stableEmptyRate).isEqualTo(0.02);
      assertThat(status.canary.quality.distanceRatio).isEqualTo(1.4);
      assertThat(status.canary.message)
          .contains("canary empty rate 0.62 above maxEmptyRate 0.2 (8 probes)");
      assertThat(events(ns, "web"))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo(StudentConditions.ROLLED_BACK);
                assertThat(e.getMessage()).contains("canary empty rate 0.62");
              });
      assertThat(
              operator
                  .registry()
                  .counter(
                      StudentMetrics.ROLLOUTS, "outcome", "rolled_back", "reason", "empty_rate")
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void onFailurePauseKeepsTheCanaryUntilTheAnnotationPromotesItAndIsRemoved() {
    try (MetricsServer metrics = new MetricsServer()) {
      String ns = api.newNamespace("pause");
      String spec = QUALITY.replace("quality:", "onFailure: Pause, quality:");
      apply(ns, studentDeployment("web", modelUri(A) + "\n" + spec));
      sim.rollOut(await().until(() -> deployment(ns, "web"), x -> x != null), 90, 9);
      awaitPhase(ns, "web", StudentPhase.Available);

      apply(ns, studentDeployment("web", modelUri(B) + "\n" + spec));
      Deployment canary = await().until(() -> deployment(ns, "web-canary"), x -> x != null);
      sim.rollOut(canary, 1, metrics.port());
      Job job = await().until(() -> probeJob(ns, "web-probe-bbbbbbbb"), x -> x != null);
      finishProbe(job, "web-probe-bbbbbbbb-x", badReport());
      await().until(() -> canaryState(ns, "web"), StudentConditions.CANARY_PAUSED::equals);
      var paused = get(ns, "web").getStatus();
      assertThat(Conditions.find(paused.conditions, StudentConditions.PROGRESSING).orElseThrow())
          .satisfies(
              c -> {
                assertThat(c.getReason()).isEqualTo(StudentConditions.PAUSED);
                assertThat(c.getMessage())
                    .contains("canary empty rate 0.62")
                    .contains("distillery.io/canary-decision=promote");
              });
      assertThat(deployment(ns, "web-canary")).as("the paused canary keeps its pods").isNotNull();
      assertThat(paused.currentDigest).isEqualTo(A);

      client
          .resources(StudentDeployment.class)
          .inNamespace(ns)
          .withName("web")
          .edit(
              d -> {
                d.getMetadata().getAnnotations().put(CanaryDecision.ANNOTATION, "promote");
                return d;
              });
      await().until(() -> canaryState(ns, "web"), StudentConditions.CANARY_PROMOTED::equals);
      await()
          .until(
              () -> get(ns, "web").getMetadata().getAnnotations(),
              a -> a == null || !a.containsKey(CanaryDecision.ANNOTATION));
      var promoted = get(ns, "web").getStatus();
      assertThat(promoted.currentDigest).isEqualTo(B);
      assertThat(promoted.canary.reason).isEqualTo("manual");
      assertThat(promoted.canary.message)
          .contains("by distillery.io/canary-decision=promote (set by ")
          .contains("canary empty rate 0.62");
      await().until(() -> deployment(ns, "web-canary") == null);
    }
  }

  @Test
  void aSelectorFollowsTheNewestPassingJobSkipsFailedOnesAndGoesBackWhenOneIsDeleted()
      throws Exception {
    String ns = api.newNamespace("selector");
    createLabelledJob(ns, "shapes-1");
    succeed(ns, "shapes-1", A, true);
    apply(ns, studentDeployment("web", SELECTOR + "\nreplicas: 1"));
    Deployment d = await().until(() -> deployment(ns, "web"), x -> A.equals(digestOf(x)));
    sim.rollOut(d, 40, 9);
    awaitPhase(ns, "web", StudentPhase.Available);
    assertThat(get(ns, "web").getStatus().currentSource).isEqualTo("shapes-1");
    assertThat(get(ns, "web").getStatus().selectedSource).isEqualTo("shapes-1");

    // A newer job still training is pending; the current one keeps serving.
    createLabelledJob(ns, "shapes-2");
    await()
        .until(
            () -> get(ns, "web").getStatus(),
            s -> s.pendingSources != null && s.pendingSources.contains("shapes-2"));
    assertThat(digestOf(deployment(ns, "web"))).isEqualTo(A);

    // It succeeds: it rolls out by itself, and kubectl shows what serves and what rolls out.
    succeed(ns, "shapes-2", B, true);
    Deployment rolled = await().until(() -> deployment(ns, "web"), x -> B.equals(digestOf(x)));
    await().until(() -> get(ns, "web").getStatus(), s -> "shapes-2".equals(s.rollingOut));
    String table = api.runKubectl("get", "sd", "-n", ns);
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "PHASE", "READY", "MODEL", "SERVING", "ROLLOUT", "SPEEDUP");
    assertThat(table.lines().skip(1).findFirst().orElseThrow())
        .containsSubsequence("shapes-2", "shapes-2");
    sim.rollOut(rolled, 50, 9);
    awaitPhase(ns, "web", StudentPhase.Available);
    assertThat(get(ns, "web").getStatus().currentSource).isEqualTo("shapes-2");
    assertThat(get(ns, "web").getStatus().rollingOut).isNull();
    assertThat(get(ns, "web").getStatus().pendingSources).isNull();

    // A newer job that fails its gate is skipped: listed in the status, one event.
    createLabelledJob(ns, "shapes-3");
    succeed(ns, "shapes-3", Fixtures.digest('c'), false);
    await()
        .untilAsserted(
            () ->
                assertThat(get(ns, "web").getStatus().skippedSources)
                    .singleElement()
                    .satisfies(
                        k -> {
                          assertThat(k.name).isEqualTo("shapes-3");
                          assertThat(k.reason).isEqualTo(StudentConditions.SOURCE_GATE_FAILED);
                          assertThat(k.message).contains("fd ratio 1.4 above 1.2");
                        }));
    await()
        .untilAsserted(
            () ->
                assertThat(events(ns, "web"))
                    .filteredOn(e -> StudentConditions.CANDIDATE_SKIPPED.equals(e.getReason()))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("shapes-3")));
    assertThat(get(ns, "web").getStatus().currentSource).isEqualTo("shapes-2");
    assertThat(digestOf(deployment(ns, "web"))).isEqualTo(B);

    // The served job is deleted: back to the newest remaining passing one, as a new rollout.
    client.resources(DistillationJob.class).inNamespace(ns).withName("shapes-2").delete();
    Deployment back = await().until(() -> deployment(ns, "web"), x -> A.equals(digestOf(x)));
    sim.rollOut(back, 60, 9);
    awaitPhase(ns, "web", StudentPhase.Available);
    assertThat(get(ns, "web").getStatus().currentSource).isEqualTo("shapes-1");

    // The served job's labels change: only shapes-3 (gate failed) matches now, so nothing new is
    // served. The event carries only the new labels; the status naming shapes-1 routes it here.
    client
        .resources(DistillationJob.class)
        .inNamespace(ns)
        .withName("shapes-1")
        .edit(
            dj -> {
              dj.getMetadata().setLabels(Map.of("pipeline", "retired"));
              return dj;
            });
    awaitSource(ns, "web", StudentConditions.SOURCE_GATE_FAILED);
    assertThat(get(ns, "web").getStatus().selectedSource).isNull();

    // Nothing matches any more: the current model keeps serving and SourceReady says why.
    client.resources(DistillationJob.class).inNamespace(ns).withName("shapes-3").delete();
    awaitSource(ns, "web", StudentConditions.NO_MATCHING_JOB);
    var status = get(ns, "web").getStatus();
    assertThat(
            Conditions.find(status.conditions, StudentConditions.SOURCE_READY).get().getMessage())
        .contains("pipeline=shapes");
    assertThat(status.currentSource).isEqualTo("shapes-1");
    assertThat(status.skippedSources).isNull();
    assertThat(digestOf(deployment(ns, "web"))).isEqualTo(A);

    assertRefused(
        ns,
        "source: {distillationJobRef: a, distillationJobSelector: {matchLabels: {pipeline: x}}}",
        "exactly one of distillationJobRef (a DistillationJob in this namespace),"
            + " distillationJobSelector");
    assertRefused(
        ns, "source: {distillationJobSelector: {}}", "source.distillationJobSelector: must not");
  }

  static final String SELECTOR =
      "source: {distillationJobSelector: {matchLabels: {pipeline: shapes}}}";

  /** A DistillationJob labelled {@code pipeline: shapes}. */
  static void createLabelledJob(String ns, String name) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getMetadata().setNamespace(ns);
    dj.getMetadata().setUid(null);
    dj.getMetadata().setGeneration(null);
    dj.getMetadata().setLabels(Map.of("pipeline", "shapes"));
    client.resource(dj).create();
  }

  @Test
  void admissionRefusesContradictorySpecsNamingTheField() {
    String ns = api.newNamespace("admission");
    assertRefused(
        ns,
        "source: {distillationJobRef: a, modelUri: 'pvc://c/m', digest: '" + A + "'}",
        "exactly one of distillationJobRef");
    assertRefused(ns, "source: {modelUri: 'pvc://c/m'}", "source.digest");
    assertRefused(ns, modelUri(A) + "\nsteps: 9", "steps");
    assertRefused(ns, modelUri(A) + "\nreplicas: -1", "replicas");
    assertRefused(
        ns, modelUri(A) + "\nrollout: {strategy: Canary, canaryPercent: 100}", "canaryPercent");
    assertRefused(ns, modelUri(A) + "\nrollout: {canaryReplicas: 2}", "only to strategy Canary");
    assertRefused(
        ns, modelUri(A) + "\nautoscaling: {minReplicas: 4, maxReplicas: 2}", "minReplicas");
    String canary = modelUri(A) + "\nrollout: {strategy: Canary, analysis: {windowSeconds: 10, ";
    assertRefused(ns, canary + "quality: {maxEmptyRate: 2}}}", "maxEmptyRate");
    assertRefused(ns, canary + "quality: {probes: 400}}}", "probes");
    assertRefused(
        ns,
        canary + "quality: {probes: 100}}}",
        "quality.probes must be at most 4 x windowSeconds (a probe set larger than the window"
            + " allows)");
    assertRefused(ns, canary + "maxLatencyRatio: 0.5}}", "maxLatencyRatio");
    assertRefused(
        ns, modelUri(A) + "\nrollout: {analysis: {quality: {}}}", "only to strategy Canary");
  }

  @Test
  void examplesAreAcceptedAndWaitForTheirJob() throws Exception {
    String ns = api.newNamespace("examples");
    for (String file :
        List.of(
            "studentdeployment-retrain-jobs.yaml",
            "studentdeployment-canary.yaml",
            "studentdeployment-selector.yaml")) {
      Path path = ControlPlane.repo().resolve("examples").resolve(file);
      client.load(Files.newInputStream(path)).inNamespace(ns).create();
    }
    awaitSource(ns, "shapes", StudentConditions.SOURCE_NOT_SUCCEEDED);
    assertThat(get(ns, "shapes").getSpec().rolloutOrDefault().canaryReplicasFor(3)).isEqualTo(1);
    // The retrain example's jobs carry no pipeline label: the selector example waits for one.
    awaitSource(ns, "shapes-latest", StudentConditions.NO_MATCHING_JOB);
  }

  static final String CANARY =
      "replicas: 3\n"
          + "rollout: {strategy: Canary, canaryReplicas: 1, progressDeadlineSeconds: 60,"
          + " analysis: {windowSeconds: 2, maxErrorRate: 0.05}}";

  /** Canary with output-quality analysis over a 2 s window. */
  static final String QUALITY =
      "replicas: 3\n"
          + "rollout: {strategy: Canary, canaryReplicas: 1, progressDeadlineSeconds: 60,"
          + " analysis: {windowSeconds: 2, maxErrorRate: 0.05,"
          + " quality: {probes: 8, seed: 7, classes: [chair, table]}}}";

  static Job probeJob(String ns, String name) {
    return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  /** Plays the job controller and kubelet: the probe pod ran and wrote {@code report}. */
  static void finishProbe(Job job, String podName, CanaryProbeReport report) {
    Pod pod = sim.createPod(job, podName);
    PodStatus status = Statuses.terminated("Succeeded", 0, "Completed", report.toJson());
    status.getContainerStatuses().get(0).setName(ProbeJobs.CONTAINER);
    sim.podStatus(pod, status);
  }

  /** A measured report of a canary that leaves most samples empty. */
  static CanaryProbeReport badReport() {
    CanaryProbeReport r = new CanaryProbeReport();
    r.status = CanaryProbeReport.MEASURED;
    r.message = "8 probes: canary empty rate 0.62";
    r.probes = 8;
    r.features = "occupancy";
    r.distanceRatio = 1.4;
    r.canary = new CanaryProbeReport.Side();
    r.canary.digest = B;
    r.canary.samples = 8;
    r.canary.emptyRate = 0.62;
    r.stable = new CanaryProbeReport.Side();
    r.stable.digest = A;
    r.stable.samples = 16;
    r.stable.emptyRate = 0.02;
    return r;
  }

  static String modelUri(String digest) {
    return "source: {modelUri: 'pvc://artifacts/students/m', digest: '" + digest + "'}";
  }

  static String studentDeployment(String name, String spec) {
    return """
        apiVersion: distillery.io/v1alpha1
        kind: StudentDeployment
        metadata:
          name: %s
        spec:
        %s
        """
        .formatted(name, spec.indent(2));
  }

  static void apply(String ns, String yaml) {
    var resource = Manifests.parse(client, yaml);
    resource.getMetadata().setNamespace(ns);
    client.resource(resource).inNamespace(ns).forceConflicts().serverSideApply();
  }

  static void assertRefused(String ns, String spec, String expected) {
    assertThatThrownBy(() -> apply(ns, studentDeployment("bad", spec)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining(expected);
  }

  static void createJob(String ns, String name) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getMetadata().setNamespace(ns);
    dj.getMetadata().setUid(null);
    dj.getMetadata().setGeneration(null);
    client.resource(dj).create();
  }

  /** A DistillationJob of the appearance stage (its teacher an appearance artifact on a claim). */
  static void createAppearanceJob(String ns, String name) {
    DistillationJob dj = Fixtures.distillationJob(name);
    dj.getMetadata().setNamespace(ns);
    dj.getMetadata().setUid(null);
    dj.getMetadata().setGeneration(null);
    dj.getSpec().stage = Stage.APPEARANCE;
    dj.getSpec().teacher.uri = "pvc://colours/teacher";
    client.resource(dj).create();
  }

  /** Writes what the DistillationJob controller writes when the trainer finished. */
  static void succeed(String ns, String name, String digest, boolean gatePassed) {
    succeed(ns, name, "pvc://artifacts/" + name + "/student", digest, gatePassed);
  }

  static void succeed(String ns, String name, String artifact, String digest, boolean gatePassed) {
    DistillationJob dj =
        client.resources(DistillationJob.class).inNamespace(ns).withName(name).get();
    DistillationJobStatus s = new DistillationJobStatus();
    s.phase = gatePassed ? Phase.Succeeded : Phase.Failed;
    s.result = new ResultStatus();
    s.result.artifact = artifact;
    s.result.digest = digest;
    s.result.gate = new ResultStatus.GateStatus();
    s.result.gate.passed = gatePassed;
    s.result.gate.reason = gatePassed ? null : "fd ratio 1.4 above 1.2";
    s.result.summary = new ResultStatus.Summary();
    s.result.summary.bestSpeedup = "21.4x@1";
    dj.setStatus(s);
    client.resource(dj).updateStatus();
  }

  static StudentDeployment get(String ns, String name) {
    return client.resources(StudentDeployment.class).inNamespace(ns).withName(name).get();
  }

  static Deployment deployment(String ns, String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  static String digestOf(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getAnnotations().get(Labels.MODEL_DIGEST);
  }

  static String canaryState(String ns, String name) {
    var s = get(ns, name).getStatus();
    return s == null || s.canary == null ? null : s.canary.state;
  }

  static void awaitPhase(String ns, String name, StudentPhase phase) {
    await().until(() -> get(ns, name).getStatus(), s -> s != null && s.phase == phase);
  }

  static void awaitSource(String ns, String name, String reason) {
    await()
        .until(
            () -> get(ns, name).getStatus(),
            s ->
                s != null
                    && reason.equals(
                        Conditions.reason(s.conditions, StudentConditions.SOURCE_READY)));
  }

  static List<Event> events(String ns, String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  static boolean exists(HasMetadata r) {
    return r != null;
  }
}
