package io.distillery.operator.distillation;

import static io.distillery.operator.testing.ClusterSimulator.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.config.TrainerConfigs;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.testing.ClusterSimulator;
import io.distillery.operator.testing.Manifests;
import io.distillery.operator.testing.OperatorHarness;
import io.distillery.operator.testing.ProgressServer;
import io.distillery.operator.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  static ProgressServer progress;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
    operator = OperatorHarness.start(client);
    sim = new ClusterSimulator(client);
    progress = new ProgressServer();
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
        pod,
        ClusterSimulator.unschedulable("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."));
    await().until(() -> reason(ns, "demo"), r -> DistillationConditions.UNSCHEDULABLE.equals(r));
    assertThat(message(ns, "demo")).contains("Insufficient nvidia.com/gpu");

    sim.podStatus(pod, ClusterSimulator.waiting("ImagePullBackOff", "Back-off pulling image"));
    await().until(() -> reason(ns, "demo"), r -> DistillationConditions.IMAGE_PULL_ERROR.equals(r));

    progress.answer(200, progressJson("training", 17, 40));
    pod = withProgressPort(pod);
    sim.podStatus(pod, ClusterSimulator.running("127.0.0.1"));
    awaitPhase(ns, "demo", Phase.Running);
    await().until(() -> get(ns, "demo").getStatus().progress, p -> p != null && p.percent == 42);
    assertThat(get(ns, "demo").getStatus().progress.losses).containsKeys("vm", "vd");

    progress.answer(200, progressJson("evaluating", 40, 40));
    awaitPhase(ns, "demo", Phase.Evaluating);

    // The trainer stops answering: progress is kept, marked stale, and that is not an error.
    progress.answer(503, "down");
    await().until(() -> get(ns, "demo").getStatus().progress.display, d -> d.endsWith("(stale)"));
    assertThat(get(ns, "demo").getStatus().phase).isEqualTo(Phase.Evaluating);

    sim.podStatus(pod, ClusterSimulator.terminated("Succeeded", 0, "Completed", resultJson()));
    sim.jobStatus(
        job,
        0,
        1,
        0,
        condition("SuccessCriteriaMet", "CompletionsReached", ""),
        condition("Complete", "CompletionsReached", ""));
    awaitPhase(ns, "demo", Phase.Succeeded);
    var status = get(ns, "demo").getStatus();
    assertThat(status.result.artifact).isEqualTo("pvc://artifacts/demo/student");
    assertThat(status.result.digest).startsWith("sha256:");
    assertThat(status.result.summary.bestSpeedup).isEqualTo("21.4x@1");
    assertThat(status.result.summary.quality).isEqualTo("fd 1.08x pass");
    assertThat(status.completionTime).isNotNull();
    assertThat(status.observedGeneration).isEqualTo(1L);

    String table = kubectl("get", "distillationjobs", "-n", ns);
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "AGE", "PHASE", "PROGRESS", "SPEEDUP", "QUALITY");
    assertThat(table)
        .contains("Succeeded")
        .contains("100%")
        .contains("21.4x@1")
        .contains("fd 1.08x pass");

    assertThat(eventReasons(ns, "demo"))
        .contains(
            "JobCreated", "Unschedulable", "ImagePullError", "Running", "Evaluating", "Succeeded");
    assertThat(events(ns, "demo"))
        .filteredOn(e -> e.getReason().equals("Unschedulable"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));

    // Settled: no further status writes.
    String rv = get(ns, "demo").getMetadata().getResourceVersion();
    TimeUnit.SECONDS.sleep(3);
    assertThat(get(ns, "demo").getMetadata().getResourceVersion()).isEqualTo(rv);
  }

  // ---------------------------------------------------------------------------------------------

  static void apply(String ns, String yaml) {
    Manifests.untyped(client).inNamespace(ns).resource(Manifests.parse(client, yaml)).create();
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
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
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
         "studentSteps":[1,2],"speedup":{"1":21.4,"2":11.0},
         "metrics":{"1":{"fd":10.8,"nfe":1},"teacher":{"fd":10.0,"nfe":50}},
         "gate":{"passed":true,"fdRatio":1.08,"maxFdRatio":1.2}}""";
  }

  static String kubectl(String... args) throws IOException, InterruptedException {
    Path kubeconfig = Files.createTempFile("kubeconfig", ".yaml");
    Files.writeString(kubeconfig, api.kubeConfigYaml());
    List<String> command =
        new java.util.ArrayList<>(
            List.of(api.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    Files.deleteIfExists(kubeconfig);
    return out;
  }
}
