package io.distillery.operator.distillation;

import static io.distillery.operator.testing.fixtures.Statuses.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.ErrorCondition;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.common.Labels;
import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fakes.FakeProgressServer;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.Statuses;
import io.distillery.operator.testing.harnesses.GarbageCollector;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator in-process against a real kube-apiserver: children, status through every simulated
 * Job/Pod state, events, printer columns (via the real kubectl), bad input, suspend/resume, spec
 * changes, owner references and a restart in the middle of a job.
 */
class DistillationJobLifecycleIT {
  static TestApiServer api;
  static KubernetesClient client;
  static OperatorHarness operator;
  static ClusterSimulator sim;
  static FakeProgressServer progress;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    operator = OperatorHarness.start(client);
    sim = new ClusterSimulator(client);
    progress = new FakeProgressServer();
    await().pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (operator != null) operator.close();
    if (progress != null) progress.close();
    if (api != null) api.close();
  }

  @Test
  void runsThroughPendingRunningEvaluatingToSucceeded() throws Exception {
    String ns = api.newNamespace("happy");
    createClaim(ns, "artifacts");
    apply(
        ns,
        Manifests.distillationJob(
            "demo", "hyperparameters: {maxSteps: 40}\nresources: {gpus: 1, memory: 2Gi}"));

    ConfigMap cm = await().until(() -> configMap(ns, "demo-trainer-config"), c -> c != null);
    var config = TrainerConfigs.parse(cm.getData().get("trainer.yaml"), "cm");
    assertThat(config.hyperparameters.maxSteps).isEqualTo(40);
    assertThat(config.output.dir).isEqualTo("/var/lib/distillery/output/demo");
    Job job = await().until(() -> job(ns, "demo"), j -> j != null);
    String uid = get(ns, "demo").getMetadata().getUid();
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    assertThat(
            job.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
        .containsKey("nvidia.com/gpu");
    awaitPhase(ns, "demo", Phase.Pending);

    Pod pod = sim.createPod(job, "demo-a1");
    sim.jobStatus(job, 1, 0, 0);
    sim.podStatus(
        pod, Statuses.unschedulable("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."));
    await().until(() -> reason(ns, "demo"), r -> DistillationConditions.UNSCHEDULABLE.equals(r));
    assertThat(message(ns, "demo")).contains("Insufficient nvidia.com/gpu");

    sim.podStatus(pod, Statuses.waiting("ImagePullBackOff", "Back-off pulling image"));
    await().until(() -> reason(ns, "demo"), r -> DistillationConditions.IMAGE_PULL_ERROR.equals(r));

    progress.answer(200, progressJson("training", 17, 40));
    pod = withProgressPort(pod);
    sim.podStatus(pod, Statuses.running("127.0.0.1"));
    awaitPhase(ns, "demo", Phase.Running);
    await().until(() -> get(ns, "demo").getStatus().progress, p -> p != null && p.percent == 42);
    assertThat(get(ns, "demo").getStatus().progress.losses).containsKeys("vm", "vd");

    progress.answer(200, progressJson("evaluating", 40, 40));
    awaitPhase(ns, "demo", Phase.Evaluating);

    // The trainer stops answering: progress is kept, marked stale, and that is not an error.
    progress.answer(503, "down");
    await().until(() -> get(ns, "demo").getStatus().progress.display, d -> d.endsWith("(stale)"));
    assertThat(get(ns, "demo").getStatus().phase).isEqualTo(Phase.Evaluating);

    // The pod's exit 0 is seen before the Job controller marks the Job Complete: that is
    // success already, never a retry.
    sim.podStatus(pod, Statuses.terminated("Succeeded", 0, "Completed", resultJson()));
    awaitPhase(ns, "demo", Phase.Succeeded);
    sim.jobStatus(
        job,
        0,
        1,
        0,
        condition("SuccessCriteriaMet", "CompletionsReached", ""),
        condition("Complete", "CompletionsReached", ""));
    var status = get(ns, "demo").getStatus();
    assertThat(status.result.artifact).isEqualTo("pvc://artifacts/demo/student");
    assertThat(status.result.digest).startsWith("sha256:");
    assertThat(status.result.summary.bestSpeedup).isEqualTo("21.4x@1");
    assertThat(status.result.summary.quality).isEqualTo("fd 1.08x pass");
    // The lineage's headline survives the API server's schema (the CRD declares the fields).
    assertThat(status.result.teacherDigest).isEqualTo("sha256:7eac4e");
    assertThat(status.result.datasetDigest).isEqualTo("sha256:da7a");
    assertThat(status.result.datasetUri).isEqualTo("pvc://shapes/train");
    assertThat(status.completionTime).isNotNull();
    assertThat(status.observedGeneration).isEqualTo(1L);

    String table = kubectl("get", "distillationjobs", "-n", ns);
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "PHASE", "PROGRESS", "SPEEDUP", "QUALITY", "AGE")
        .doesNotContain("STAGE");
    assertThat(table)
        .contains("Succeeded")
        .contains("100%")
        .contains("21.4x@1")
        .contains("fd 1.08x pass");
    // The stage is a wide column, next to the phase; the default stage was set at admission.
    String wide = kubectl("get", "distillationjobs", "-n", ns, "-o", "wide");
    assertThat(wide.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "PHASE", "STAGE", "PROGRESS", "SPEEDUP", "QUALITY", "AGE");
    assertThat(wide).contains("structure");

    assertThat(eventReasons(ns, "demo"))
        .contains("Unschedulable", "ImagePullError", "Running", "Evaluating", "Succeeded");
    assertThat(eventReasons(ns, "demo")).doesNotContain("Retrying");
    assertThat(events(ns, "demo"))
        .filteredOn(e -> e.getReason().equals("Unschedulable"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));

    // Settled: no further status writes.
    String rv = get(ns, "demo").getMetadata().getResourceVersion();
    TimeUnit.SECONDS.sleep(3);
    assertThat(get(ns, "demo").getMetadata().getResourceVersion()).isEqualTo(rv);
  }

  @Test
  void missingClaimIsReportedOnceAndRetriedWithBackoffUntilItExists() throws Exception {
    String ns = api.newNamespace("claim");
    apply(
        ns,
        Manifests.distillationJob("waits", "").replace("claimName: artifacts", "claimName: later"));
    await().until(() -> reason(ns, "waits"), r -> DistillationConditions.CLAIM_NOT_FOUND.equals(r));
    assertThat(message(ns, "waits")).contains("later").contains("spec.output.size");
    assertThat(get(ns, "waits").getStatus().phase).isEqualTo(Phase.Pending);
    String rv = get(ns, "waits").getMetadata().getResourceVersion();
    TimeUnit.SECONDS.sleep(3); // several backed-off checks (1 s, then longer)
    assertThat(get(ns, "waits").getMetadata().getResourceVersion())
        .as("no status churn")
        .isEqualTo(rv);
    assertThat(events(ns, "waits"))
        .filteredOn(e -> e.getReason().equals("ClaimNotFound"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    assertThat(job(ns, "waits")).isNull();

    createClaim(ns, "later");
    await().atMost(Duration.ofSeconds(15)).until(() -> job(ns, "waits") != null);
    await().until(() -> reason(ns, "waits"), r -> DistillationConditions.JOB_CREATED.equals(r));
  }

  @Test
  void unknownTeacherSchemeFailsWithoutRetryingAndRecoversWhenFixed() throws Exception {
    String ns = api.newNamespace("invalid");
    createClaim(ns, "artifacts");
    apply(
        ns, Manifests.distillationJob("bad", "").replace("builtin:shipped", "gs://bucket/teacher"));
    awaitPhase(ns, "bad", Phase.Failed);
    var failed =
        Conditions.find(get(ns, "bad").getStatus().conditions, DistillationConditions.FAILED)
            .orElseThrow();
    assertThat(failed.getReason()).isEqualTo(DistillationConditions.INVALID_SPEC);
    assertThat(failed.getMessage()).contains("spec.teacher.uri").contains("'gs'");
    String rv = get(ns, "bad").getMetadata().getResourceVersion();
    TimeUnit.SECONDS.sleep(2);
    assertThat(get(ns, "bad").getMetadata().getResourceVersion()).isEqualTo(rv);
    assertThat(events(ns, "bad"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("InvalidSpec");
            });
    assertThat(job(ns, "bad")).isNull();

    client
        .resources(DistillationJob.class)
        .inNamespace(ns)
        .withName("bad")
        .edit(
            dj -> {
              dj.getSpec().teacher.uri = "pvc://teachers/flow.pt";
              return dj;
            });
    Job job = await().until(() -> job(ns, "bad"), j -> j != null);
    awaitPhase(ns, "bad", Phase.Pending);
    // The teacher's claim is mounted read-only and the config points into it.
    assertThat(claimNames(job)).contains("teachers");
    assertThat(
            TrainerConfigs.parse(
                    configMap(ns, "bad-trainer-config").getData().get("trainer.yaml"), "cm")
                .teacher
                .uri)
        .isEqualTo("/var/lib/distillery/inputs/teachers/flow.pt");
    assertThat(get(ns, "bad").getStatus().observedGeneration).isEqualTo(2L);
  }

  @Test
  void suspendStopsTheJobAndResumeRestartsItWhileTtlStaysMutable() {
    String ns = api.newNamespace("suspend");
    createClaim(ns, "artifacts");
    apply(ns, Manifests.distillationJob("pause", ""));
    Job job = await().until(() -> job(ns, "pause"), j -> j != null);
    assertThat(job.getSpec().getSuspend()).isFalse();

    editSpec(ns, "pause", spec -> spec.suspend = true);
    await().until(() -> job(ns, "pause").getSpec().getSuspend());
    awaitPhase(ns, "pause", Phase.Suspended);
    assertThat(eventReasons(ns, "pause")).contains("Suspended");

    editSpec(
        ns,
        "pause",
        spec -> {
          spec.suspend = false;
          spec.ttlSecondsAfterFinished = 3600;
        });
    await().until(() -> !job(ns, "pause").getSpec().getSuspend());
    await()
        .until(
            () -> job(ns, "pause").getSpec().getTtlSecondsAfterFinished(),
            t -> t != null && t == 3600);
    awaitPhase(ns, "pause", Phase.Pending);
    assertThat(job(ns, "pause").getMetadata().getUid())
        .as("same Job, not a new one")
        .isEqualTo(job.getMetadata().getUid());
  }

  @Test
  void queuedJobWaitsForKueueWhichThenOwnsSuspend() {
    String ns = api.newNamespace("kueue");
    createClaim(ns, "artifacts");
    apply(ns, Manifests.distillationJob("queued", "queueName: team-a"));
    Job job = await().until(() -> job(ns, "queued"), j -> j != null);
    assertThat(job.getMetadata().getLabels()).containsEntry(Labels.KUEUE_QUEUE_NAME, "team-a");
    assertThat(job.getSpec().getSuspend()).isTrue();
    awaitPhase(ns, "queued", Phase.Queued);
    // No Kueue here (no Workload CRD): reading the Workload finds nothing, fails nothing, and the
    // message is the generic one.
    assertThat(message(ns, "queued"))
        .isEqualTo("waiting for Kueue to admit the trainer Job from queue team-a");
    assertThat(get(ns, "queued").getStatus().conditions)
        .noneMatch(c -> ErrorCondition.TYPE.equals(c.getType()));

    // Kueue admits the workload by unsuspending the Job; the operator must not undo that.
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName("queued")
        .edit(
            j -> {
              j.getSpec().setSuspend(false);
              return j;
            });
    awaitPhase(ns, "queued", Phase.Pending);
    assertThat(job(ns, "queued").getSpec().getSuspend()).isFalse();
  }

  @Test
  void divergedTrainerFailsWithTheExitCodeMeaningAndAWarning() {
    String ns = api.newNamespace("diverged");
    createClaim(ns, "artifacts");
    apply(ns, Manifests.distillationJob("nan", ""));
    Job job = await().until(() -> job(ns, "nan"), j -> j != null);
    Pod pod = sim.createPod(job, "nan-a1");
    sim.podStatus(
        pod,
        Statuses.terminated(
            "Failed",
            4,
            "Error",
            "{\"status\":\"failed\",\"exitCode\":4,\"message\":\"loss became NaN at step 212\"}"));
    sim.jobStatus(
        job,
        0,
        0,
        1,
        condition(
            "FailureTarget",
            "PodFailurePolicy",
            "Container trainer for pod nan-a1 failed with exit code 4"),
        condition(
            "Failed",
            "PodFailurePolicy",
            "Container trainer for pod nan-a1 failed with exit code 4"));
    awaitPhase(ns, "nan", Phase.Failed);
    var failed =
        Conditions.find(get(ns, "nan").getStatus().conditions, DistillationConditions.FAILED)
            .orElseThrow();
    assertThat(failed.getReason()).isEqualTo(DistillationConditions.TRAINING_DIVERGED);
    assertThat(failed.getMessage())
        .contains("exit code 4")
        .contains("diverged")
        .contains("NaN at step 212");
    assertThat(events(ns, "nan"))
        .filteredOn(e -> e.getReason().equals("TrainingDiverged"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }

  @Test
  void createdClaimIsOwnedWhileAGivenClaimIsNever() {
    String ns = api.newNamespace("owned");
    createClaim(ns, "artifacts");
    apply(
        ns,
        Manifests.distillationJob("mine", "")
            .replace("claimName: artifacts", "size: 2Gi\n    storageClassName: fast"));
    PersistentVolumeClaim created =
        await()
            .until(
                () -> client.persistentVolumeClaims().inNamespace(ns).withName("mine-output").get(),
                c -> c != null);
    String uid = get(ns, "mine").getMetadata().getUid();
    assertThat(created.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(created.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    Job job = await().until(() -> job(ns, "mine"), j -> j != null);
    assertThat(claimNames(job)).contains("mine-output");
    assertThat(configMap(ns, "mine-trainer-config").getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));

    apply(ns, Manifests.distillationJob("theirs", ""));
    await().until(() -> job(ns, "theirs") != null);
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName("artifacts")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isNullOrEmpty();
  }

  @Test
  void operatorRestartMidJobLosesNothingAndDuplicatesNothing() {
    String ns = api.newNamespace("restart");
    createClaim(ns, "artifacts");
    apply(ns, Manifests.distillationJob("survivor", ""));
    Job job = await().until(() -> job(ns, "survivor"), j -> j != null);
    Pod pod = sim.createPod(job, "survivor-a1");
    sim.jobStatus(job, 1, 0, 0);
    sim.podStatus(pod, Statuses.running("10.255.255.1")); // unreachable: progress is optional
    awaitPhase(ns, "survivor", Phase.Running);
    String configVersion =
        configMap(ns, "survivor-trainer-config").getMetadata().getResourceVersion();

    operator.close();
    // While the operator is down the trainer finishes.
    sim.podStatus(pod, Statuses.terminated("Succeeded", 0, "Completed", resultJson()));
    sim.jobStatus(
        job,
        0,
        1,
        0,
        condition("SuccessCriteriaMet", "CompletionsReached", ""),
        condition("Complete", "CompletionsReached", ""));
    operator = OperatorHarness.start(client);

    awaitPhase(ns, "survivor", Phase.Succeeded);
    assertThat(client.batch().v1().jobs().inNamespace(ns).list().getItems())
        .singleElement()
        .satisfies(j -> assertThat(j.getMetadata().getUid()).isEqualTo(job.getMetadata().getUid()));
    assertThat(configMap(ns, "survivor-trainer-config").getMetadata().getResourceVersion())
        .isEqualTo(configVersion);
    var status = get(ns, "survivor").getStatus();
    assertThat(status.attempts).isEqualTo(1);
    assertThat(status.result.digest).isEqualTo("sha256:abc123");
    assertThat(eventReasons(ns, "survivor")).containsOnlyOnce("Running", "Succeeded");

    // A second restart after the outcome changes nothing, even once the Job is gone (TTL).
    operator.close();
    client.batch().v1().jobs().inNamespace(ns).withName("survivor").delete();
    await().until(() -> job(ns, "survivor") == null);
    String rv = get(ns, "survivor").getMetadata().getResourceVersion();
    operator = OperatorHarness.start(client);
    await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
    assertThat(job(ns, "survivor")).as("a finished job is never trained again").isNull();
    assertThat(get(ns, "survivor").getMetadata().getResourceVersion()).isEqualTo(rv);
    assertThat(get(ns, "survivor").getStatus().phase).isEqualTo(Phase.Succeeded);
  }

  @Test
  void deletionCascadesToTheChildrenButAGivenClaimAndItsArtifactsStay() throws Exception {
    String ns = api.newNamespace("delete");
    createClaim(ns, "artifacts");
    apply(ns, Manifests.distillationJob("given", ""));
    apply(ns, Manifests.distillationJob("sized", "").replace("claimName: artifacts", "size: 1Gi"));
    await().until(() -> job(ns, "given") != null && job(ns, "sized") != null);
    await()
        .until(
            () ->
                client.persistentVolumeClaims().inNamespace(ns).withName("sized-output").get()
                    != null);
    Pod pod = sim.createPod(job(ns, "given"), "given-a1");

    try (GarbageCollector gc = GarbageCollector.start(api)) {
      client.resources(DistillationJob.class).inNamespace(ns).delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  job(ns, "given") == null
                      && job(ns, "sized") == null
                      && configMap(ns, "given-trainer-config") == null
                      && client.pods().resource(pod).get() == null
                      && client
                              .persistentVolumeClaims()
                              .inNamespace(ns)
                              .withName("sized-output")
                              .get()
                          == null);
      assertThat(gc.alive()).isTrue();
    }
    var kept = client.persistentVolumeClaims().inNamespace(ns).withName("artifacts").get();
    assertThat(kept).isNotNull();
    assertThat(kept.getMetadata().getDeletionTimestamp()).isNull();
  }

  // ---------------------------------------------------------------------------------------------

  static void apply(String ns, String yaml) {
    Manifests.untyped(client).inNamespace(ns).resource(Manifests.parse(client, yaml)).create();
  }

  static void editSpec(
      String ns,
      String name,
      java.util.function.Consumer<io.distillery.operator.api.v1alpha1.DistillationJobSpec> change) {
    client
        .resources(DistillationJob.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            dj -> {
              change.accept(dj.getSpec());
              return dj;
            });
  }

  static DistillationJob get(String ns, String name) {
    return client.resources(DistillationJob.class).inNamespace(ns).withName(name).get();
  }

  static ConfigMap configMap(String ns, String name) {
    return client.configMaps().inNamespace(ns).withName(name).get();
  }

  static Job job(String ns, String name) {
    return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
  }

  static void createClaim(String ns, String name) {
    client.persistentVolumeClaims().inNamespace(ns).resource(Storage.claim(name, "1Gi")).create();
  }

  static void awaitPhase(String ns, String name, Phase phase) {
    await()
        .until(
            () -> {
              DistillationJob dj = get(ns, name);
              return dj == null || dj.getStatus() == null ? null : dj.getStatus().phase;
            },
            p -> p == phase);
  }

  static String reason(String ns, String name) {
    DistillationJob dj = get(ns, name);
    return dj.getStatus() == null
        ? null
        : Conditions.reason(dj.getStatus().conditions, DistillationConditions.PROGRESSING);
  }

  static String message(String ns, String name) {
    return Conditions.find(get(ns, name).getStatus().conditions, DistillationConditions.PROGRESSING)
        .orElseThrow()
        .getMessage();
  }

  static List<Event> events(String ns, String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  static List<String> eventReasons(String ns, String name) {
    return events(ns, name).stream().map(Event::getReason).toList();
  }

  /** The pod as the job controller made it, but with the progress port of the test server. */
  static Pod withProgressPort(Pod pod) {
    // Container ports are immutable on a real pod; recreate it with the test server's port.
    client.pods().resource(pod).withGracePeriod(0).delete();
    await().until(() -> client.pods().resource(pod).get() == null);
    pod.getMetadata().setResourceVersion(null);
    pod.getMetadata().setUid(null);
    pod.getMetadata().setCreationTimestamp(null);
    pod.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(progress.port());
    pod.setStatus(null);
    return client.pods().resource(pod).create();
  }

  static String progressJson(String phase, long step, long maxSteps) {
    return """
        {"phase":"%s","step":%d,"maxSteps":%d,"percent":%.1f,"losses":{"vm":0.12,"vd":0.34},
         "samplesPerSec":96.0,"etaSeconds":12.5,"updatedAtMillis":%d}"""
        .formatted(phase, step, maxSteps, 100.0 * step / maxSteps, System.currentTimeMillis());
  }

  static String resultJson() {
    return """
        {"status":"succeeded","exitCode":0,"method":"mdt",
         "artifact":"/var/lib/distillery/output/demo/student","digest":"sha256:abc123",
         "teacherDigest":"sha256:7eac4e","datasetDigest":"sha256:da7a",
         "datasetUri":"/var/lib/distillery/inputs/shapes/train",
         "studentSteps":[1,2],"speedup":{"1":21.4,"2":11.0},
         "metrics":{"1":{"fd":10.8,"nfe":1},"teacher":{"fd":10.0,"nfe":50}},
         "gate":{"passed":true,"fdRatio":1.08,"maxFdRatio":1.2}}""";
  }

  static String kubectl(String... args) throws IOException, InterruptedException {
    return api.runKubectl(args);
  }

  /** The claims a trainer Job's pod mounts. */
  static List<String> claimNames(Job job) {
    return job.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getPersistentVolumeClaim() != null)
        .map(v -> v.getPersistentVolumeClaim().getClaimName())
        .toList();
  }
}
