package io.distillery.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.agent.AgentPod;
import io.distillery.agent.Entrypoints;
import io.distillery.agent.NodeAgent;
import io.distillery.config.PairDigest;
import io.distillery.operator.common.Labels;
import io.distillery.operator.testing.fakes.ReadyPodsLoad;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.NpzFile;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.ChartRelease;
import io.distillery.operator.testing.harnesses.CommandReport;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.LocalCluster;
import io.distillery.operator.testing.harnesses.ObjectStorageServer;
import io.distillery.operator.testing.harnesses.PrometheusServer;
import io.distillery.operator.testing.harnesses.Tools;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole path with nothing simulated but the node: a {@link NodeAgent} plays one node, the chart
 * is installed with the real helm and its operator pod runs there as the packaged operator, with
 * the chart's environment and a service-account token projected for the pod; the trainer pod runs
 * the real {@code mdt distill} with the configuration the operator mounted, its progress and result
 * reach the DistillationJob's status, and the StudentDeployment's serving pod runs the real {@code
 * mdt serve} and answers {@code /v1/generate} at the address the endpoints controller publishes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealMdtOnLocalClusterIT {
  static final String NS = "team-real";
  static final String AGENT_NODE = "mdt-node-1";
  // How long routing takes to notice a pod change, as endpoints and kube-proxy do on a real
  // cluster.
  static final Duration ROUTING_LAG = Duration.ofSeconds(2);
  static CommandReport report;
  static LocalCluster cluster;
  static KubernetesClient admin;
  static Path kubeconfig;
  static NodeAgent agent;
  static PrometheusServer prometheus;
  static ObjectStorageServer storage;
  static Entrypoints images;
  static ScrapedPods scraped;
  static java.time.Instant scrapeStart;

  @BeforeAll
  static void up() throws Exception {
    images = Entrypoints.inRepository(ControlPlane.repo());
    cluster = LocalCluster.start();
    admin = cluster.client();
    kubeconfig = cluster.stateDir().resolve("kubeconfig");
    report = CommandReport.at(Path.of("target", "e2e-real-mdt.txt"));
    agent = NodeAgent.start(admin, AGENT_NODE, cluster.stateDir().resolve("agent"), images);
    // A real Prometheus scrapes every part while the test runs (what the chart's PodMonitor and
    // ServiceMonitor ask for); the last test checks what it saw.
    scrapeStart = java.time.Instant.now();
    prometheus = PrometheusServer.start(cluster.stateDir().resolve("prometheus"));
    scraped =
        new ScrapedPods(
            admin, AGENT_NODE, prometheus, Path.of("target", "e2e-real-metrics").toAbsolutePath());
    // The operator's pod goes onto the agent's node too; progress is polled every second.
    var install = AgentNodeCluster.installChartOnAgentNode(kubeconfig);
    report.add(
        "$ helm install distillery charts/distillery (operator on " + AGENT_NODE + ")",
        install.output());
    assertThat(install.exitCode())
        .as("%s\noperator log:\n%s", install.output(), operatorLog())
        .isZero();
    Binaries.kubectl(kubeconfig, "create", "namespace", NS).requireSuccess();
    // Storage: hostPath volumes the real PV controller binds; the agent reads their paths.
    AgentNodeCluster.hostPathVolumes(cluster, "agent-pv", 6);
    admin
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(Storage.claim("shapes-data", "1Gi"))
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        Binaries.kubectl(
                                kubeconfig,
                                "wait",
                                "--for=condition=Ready",
                                "node/" + AGENT_NODE,
                                "--timeout=2s")
                            .exitCode())
                    .isZero());
  }

  @AfterAll
  static void down() throws Exception {
    if (scraped != null) scraped.close();
    if (prometheus != null) prometheus.close();
    if (storage != null) storage.close();
    if (agent != null) {
      // The operator's own log outlives the cluster's state directory, for a failing run.
      AgentNodeCluster.keepOperatorLog(agent, Path.of("target", "e2e-real-operator.log"));
      agent.close();
    }
    if (cluster != null) cluster.close();
  }

  @Test
  @Order(1)
  void theTrainerPodRunsRealMdtAndItsResultReachesTheStatus() throws Exception {
    // The operator itself runs as the chart's pod on the agent's node: the packaged application.
    Pod operatorPod =
        admin.pods().inNamespace(ChartRelease.NAMESPACE).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .findFirst()
            .orElseThrow();
    assertThat(operatorPod.getSpec().getNodeName()).isEqualTo(AGENT_NODE);
    AgentPod operatorProcess =
        agent.pods().get(ChartRelease.NAMESPACE + "/" + operatorPod.getMetadata().getName());
    assertThat(operatorProcess.isRunning()).as(operatorLog()).isTrue();
    assertThat(operatorProcess.command()).anyMatch(a -> a.endsWith("quarkus-run.jar"));
    report.add(
        "$ kubectl get pods -n distillery-system -o wide",
        Binaries.kubectl(kubeconfig, "get", "pods", "-n", ChartRelease.NAMESPACE, "-o", "wide")
            .requireSuccess()
            .output());
    Set<Long> stepsSeenWhileRunning = ConcurrentHashMap.newKeySet();
    var applied =
        Binaries.kubectl(
            kubeconfig,
            "apply",
            "-n",
            NS,
            "-f",
            manifest("real-mdt.yaml").toString(),
            "--server-side");
    report.add("$ kubectl apply -n team-real -f e2e/real-mdt.yaml", applied.output());
    assertThat(applied.exitCode()).as(applied.output()).isZero();

    await()
        .atMost(Duration.ofMinutes(8))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              GenericKubernetesResource dj = dj("shapes-real");
              if ("Running".equals(dj.get("status", "phase"))) {
                Number step = dj.get("status", "progress", "step");
                if (step != null) stepsSeenWhileRunning.add(step.longValue());
              }
              assertThat(String.valueOf(dj.<String>get("status", "phase")))
                  .as("phase of shapes-real; agent log:\n%s", agentLog("shapes-real"))
                  .isIn("Succeeded", "Failed");
            });
    GenericKubernetesResource dj = dj("shapes-real");
    assertThat(dj.<String>get("status", "phase"))
        .as("agent log:\n%s", agentLog("shapes-real"))
        .isEqualTo("Succeeded");

    // The pod ran on the agent's node, with the config the operator mounted (read from the API,
    // only the mount paths mapped to the host directories backing them).
    AgentPod trainer = agentPod("shapes-real");
    assertThat(trainer.exitCodes()).containsExactly(0);
    assertThat(trainer.command()).contains("-jar", "distill", "--config");
    String mounted =
        admin
            .configMaps()
            .inNamespace(NS)
            .withName("shapes-real-trainer-config")
            .get()
            .getData()
            .get("trainer.yaml");
    Path config = Path.of(trainer.paths().hostPath("/etc/distillery/trainer.yaml"));
    assertThat(Files.readString(config)).isEqualTo(trainer.paths().translate(mounted));
    assertThat(mounted)
        .contains("maxSteps: 60")
        .contains("dir: \"/var/lib/distillery/output/shapes-real\"");

    // Progress came from the trainer's own /progress, polled by the operator at the pod's IP.
    assertThat(stepsSeenWhileRunning).as("steps seen while Running").isNotEmpty();
    assertThat(stepsSeenWhileRunning).allSatisfy(s -> assertThat(s).isBetween(0L, 60L));

    // The result JSON of the termination message, in the container's paths.
    assertThat(dj.<String>get("status", "result", "artifact"))
        .isEqualTo("pvc://" + outputClaim(dj) + "/shapes-real/student-mdt");
    String digest = dj.get("status", "result", "digest");
    assertThat(digest).matches("sha256:[0-9a-f]{64}");
    Number speedup = dj.get("status", "result", "speedup", "1");
    assertThat(speedup.doubleValue())
        .as("1-step speedup over the 25-step teacher")
        .isGreaterThan(1);
    // ... and the artifact is really on the claim's volume.
    assertThat(
            Path.of(trainer.paths().hostPath("/var/lib/distillery/output/shapes-real/student-mdt")))
        .isDirectory();

    var get = Binaries.kubectl(kubeconfig, "get", "distillationjobs", "-n", NS).requireSuccess();
    report.add("$ kubectl get distillationjobs -n team-real", get.output());
    assertThat(get.output()).containsPattern("shapes-real +Succeeded +100% +[0-9.]+x");
  }

  @Test
  @Order(2)
  void theStudentDeploymentServesTheDistilledStudentOverHttp() throws Exception {
    String digest = dj("shapes-real").get("status", "result", "digest");
    awaitAvailable("shapes-real");
    GenericKubernetesResource sd = sd("shapes-real");
    assertThat(sd.<String>get("status", "currentDigest")).isEqualTo(digest);

    String base = servingUrl("shapes-real");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> model =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/model")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(model.statusCode()).isEqualTo(200);
    assertThat(model.body()).contains(digest);
    HttpResponse<String> generated =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"class\":\"chair\",\"seed\":7,\"format\":\"ply\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    report.add(
        "$ curl -X POST " + base + "/v1/generate",
        generated.statusCode() + " " + generated.headers().map());
    assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
    assertThat(generated.headers().firstValue("X-Model-Digest")).hasValue(digest);
    assertThat(generated.headers().firstValue("X-Steps")).hasValue("1");
    assertThat(generated.body()).startsWith("ply");

    var both =
        Binaries.kubectl(kubeconfig, "get", "distillationjobs,studentdeployments", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl get distillationjobs,studentdeployments -n team-real", both.output());
    assertThat(both.output())
        .containsPattern("studentdeployment.distillery.io/shapes-real +Available");
  }

  @Test
  @Order(3)
  void aRetrainedStudentRollsOutUnderLoadWithoutAFailedRequest() throws Exception {
    String before = dj("shapes-real").get("status", "result", "digest");
    apply("real-mdt-retrain.yaml");
    awaitSucceeded("shapes-real-2");
    String after = dj("shapes-real-2").get("status", "result", "digest");
    assertThat(after).isNotEqualTo(before);

    long started = System.nanoTime();
    List<ReadyPodsLoad.Outcome> outcomes =
        patchUnderLoad(
            "{\"spec\":{\"source\":{\"distillationJobRef\":\"shapes-real-2\"}}}", after, () -> {});
    var failed = outcomes.stream().filter(o -> o.status() != 200).toList();
    report.add(
        "# rollout of shapes-real-2 under load (2 clients, 100 ms pause, routing lag 2 s)",
        String.format(
            "%d requests in %.0f s, %d failed, %d answered by %s..., %d by %s...",
            outcomes.size(),
            (System.nanoTime() - started) / 1e9,
            failed.size(),
            outcomes.stream().filter(o -> before.equals(o.digest())).count(),
            before.substring(0, 15),
            outcomes.stream().filter(o -> after.equals(o.digest())).count(),
            after.substring(0, 15)));
    assertThat(failed).as("requests that failed during the rollout").isEmpty();
    assertThat(outcomes).extracting(ReadyPodsLoad.Outcome::digest).contains(before, after);
    assertThat(outcomes.get(outcomes.size() - 1).digest()).isEqualTo(after);
    assertThat(sd("shapes-real").<String>get("status", "currentDigest")).isEqualTo(after);
  }

  @Test
  @Order(4)
  void aCanaryIsJudgedOnTheServersRealMetricsAndPromoted() throws Exception {
    String first = dj("shapes-real").get("status", "result", "digest");
    // Without the retrain's rollout (order 3) there is no other student to go back from.
    assumeThat(sd("shapes-real").<String>get("status", "currentDigest"))
        .as("the deployment serves the retrained student")
        .isNotEqualTo(first);
    String[] verdict = new String[1];
    // Back to the first student, through a canary judged over 10 s of its own traffic.
    List<ReadyPodsLoad.Outcome> outcomes =
        patchUnderLoad(
            "{\"spec\":{\"source\":{\"distillationJobRef\":\"shapes-real\"},"
                + "\"rollout\":{\"strategy\":\"Canary\",\"canaryReplicas\":1,"
                + "\"analysis\":{\"windowSeconds\":10,\"maxErrorRate\":0.01}}}}",
            first,
            () ->
                await()
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(
                        () -> {
                          GenericKubernetesResource sd = sd("shapes-real");
                          verdict[0] = sd.get("status", "canary", "message");
                          assertThat(String.valueOf(sd.<String>get("status", "canary", "state")))
                              .as("canary: %s; serving log:\n%s", verdict[0], servingLog())
                              .isEqualTo("Promoted");
                        }));
    report.add("# canary of shapes-real under load", verdict[0]);
    // The verdict counted the canary's requests from mdt serve's own /metrics.
    assertThat(verdict[0])
        .containsPattern("promoted .* error rate 0\\.0000 over [1-9][0-9]* requests");
    assertThat(outcomes.stream().filter(o -> o.status() != 200).toList())
        .as("requests that failed during the canary")
        .isEmpty();
    assertThat(sd("shapes-real").<String>get("status", "currentDigest")).isEqualTo(first);
  }

  @Test
  @Order(5)
  void badInputFailsTheJobAtOnceWithTheTrainersReason() throws Exception {
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(dj("missing-data").<String>get("status", "phase")))
                    .as(
                        "phase of missing-data; agent log:\n%s\noperator log:\n%s",
                        agentLog("missing-data"), operatorLogAbout("missing-data"))
                    .isEqualTo("Failed"));
    AgentPod trainer = agentPod("missing-data");
    assertThat(trainer.exitCodes()).as("mdt's exit for invalid input, no retry").containsExactly(3);
    var describe =
        Binaries.kubectl(kubeconfig, "describe", "distillationjob", "missing-data", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl describe distillationjob missing-data -n team-real", describe.output());
    // The log tail names the file as the container sees it; no "Retrying" while the Job fails.
    assertThat(describe.output())
        .contains("InputInvalid")
        .contains("/var/lib/distillery/output/not-there.npz: no such file")
        .doesNotContain("Retrying");
  }

  @Test
  @Order(6)
  void deletingTheStudentDeploymentStopsItsServingProcess() {
    // Garbage collection of the Deployments, then the agent stops the process and removes the pod.
    AgentPod serving =
        agent.pods().values().stream()
            .filter(p -> "shapes-real".equals(p.labels().get(Labels.STUDENT_DEPLOYMENT)))
            .filter(AgentPod::isRunning)
            .findFirst()
            .orElseThrow();
    Binaries.kubectl(kubeconfig, "delete", "studentdeployment", "shapes-real", "-n", NS)
        .requireSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        admin
                            .pods()
                            .inNamespace(NS)
                            .withLabel(Labels.STUDENT_DEPLOYMENT, "shapes-real")
                            .list()
                            .getItems())
                    .isEmpty());
    assertThat(serving.isRunning()).isFalse();
  }

  @Test
  @Order(7)
  void aTorchScriptTeacherOnAClaimIsDistilledAndItsStudentServesRawSamples() throws Exception {
    // The user's files on their claim: the module and 2-channel latents in train/ and heldout/.
    admin
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(Storage.claim("teacher-data", "1Gi"))
        .create();
    Path claim = Files.createDirectories(claimDir("teacher-data"));
    Files.copy(
        ControlPlane.repo().resolve("trainer-image/src/test/resources/torchscript/tiny_teacher.pt"),
        claim.resolve("teacher.pt"));
    writeLatents(claim.resolve("latents/train/shard-0.npz"), 24);
    writeLatents(claim.resolve("latents/heldout/shard-0.npz"), 8);

    apply("real-mdt-torchscript.yaml");
    awaitSucceeded("ts-real");
    String mounted =
        admin
            .configMaps()
            .inNamespace(NS)
            .withName("ts-real-trainer-config")
            .get()
            .getData()
            .get("trainer.yaml");
    assertThat(mounted)
        .contains("format: \"torchscript\"")
        .contains("channels: 2")
        .contains("resolution: 2")
        .contains("numClasses: 3")
        .contains("maxPairedError: 0.2");
    String digest = dj("ts-real").get("status", "result", "digest");
    // A quality verdict without any classifier: paired with the teacher's own samples.
    Number error = dj("ts-real").get("status", "result", "gate", "pairedError");
    assertThat(error.doubleValue()).isPositive().isLessThanOrEqualTo(0.2);
    assertThat(dj("ts-real").<Boolean>get("status", "result", "gate", "passed")).isTrue();
    assertThat(dj("ts-real").<String>get("status", "result", "features")).isEqualTo("teacher");
    assertThat(dj("ts-real").<String>get("status", "result", "summary", "quality"))
        .matches("err 0\\.[0-9]+ pass");

    awaitAvailable("ts-real");
    HttpClient http = HttpClient.newHttpClient();
    String base = servingUrl("ts-real");
    HttpResponse<byte[]> npz =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"class\":\"class1\",\"seed\":5,\"count\":2,\"format\":\"npz\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(npz.statusCode()).as(new String(npz.body())).isEqualTo(200);
    assertThat(npz.headers().firstValue("X-Model-Digest")).hasValue(digest);
    // x: 2 samples of 2-channel 2^3 float32; y: their class.
    Map<String, String> arrays = NpzFile.headers(npz.body());
    assertThat(arrays).containsOnlyKeys("x.npy", "y.npy");
    assertThat(arrays.get("x.npy")).contains("'<f4'").contains("'shape': (2, 2, 2, 2, 2)");
    assertThat(arrays.get("y.npy")).contains("'<i8'").contains("'shape': (2,)");
    HttpResponse<String> ply =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"class\":\"class1\",\"format\":\"ply\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ply.statusCode()).isEqualTo(400);
    assertThat(ply.body()).contains("only format npz applies");
  }

  @Test
  @Order(8)
  void anUnderTrainedStudentOfTheTorchScriptTeacherFailsItsQualityGateAndIsNeverServed()
      throws Exception {
    // Applied with ts-real (same manifest): the same gate, the student trained 1 step.
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(dj("ts-undertrained").<String>get("status", "phase")))
                    .as("agent log:\n%s", agentLog("ts-undertrained"))
                    .isEqualTo("Failed"));
    assertThat(agentPod("ts-undertrained").exitCodes())
        .as("mdt's exit for a missed gate, no retry")
        .containsExactly(5);
    GenericKubernetesResource dj = dj("ts-undertrained");
    assertThat(dj.<String>get("status", "result", "gate", "reason"))
        .matches("paired error 0\\.[0-9]+ > maxPairedError 0\\.200");
    Number error = dj.get("status", "result", "gate", "pairedError");
    assertThat(error.doubleValue()).isGreaterThan(0.2);
    var get =
        Binaries.kubectl(
                kubeconfig, "get", "distillationjobs", "-n", NS, "ts-real", "ts-undertrained")
            .requireSuccess();
    report.add("$ kubectl get distillationjobs -n team-real ts-real ts-undertrained", get.output());
    assertThat(get.output())
        .containsPattern("ts-real +Succeeded .*err 0\\.[0-9]+ pass")
        .containsPattern("ts-undertrained +Failed .*err 0\\.[0-9]+ fail");
    var describe =
        Binaries.kubectl(kubeconfig, "describe", "distillationjob", "ts-undertrained", "-n", NS)
            .requireSuccess();
    report.add(
        "$ kubectl describe distillationjob ts-undertrained -n team-real", describe.output());
    assertThat(describe.output()).contains("GateFailed").contains("maxPairedError");

    // Its StudentDeployment says why and runs no serving pod.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        String.valueOf(
                            sd("ts-undertrained")
                                .<List<Map<String, Object>>>get("status", "conditions")))
                    .contains("SourceGateFailed"));
    assertThat(
            admin
                .pods()
                .inNamespace(NS)
                .withLabel(Labels.STUDENT_DEPLOYMENT, "ts-undertrained")
                .list()
                .getItems())
        .isEmpty();
  }

  @Test
  @Order(10)
  void anAppearanceJobsStudentIsServedWithTheStructureStudentAsOneColouredPipeline()
      throws Exception {
    apply("real-mdt-pipeline.yaml");
    awaitSucceeded("rgb-real");
    assertThat(agentPod("rgb-real").exitCodes()).containsExactly(0);
    String structure = dj("shapes-real").get("status", "result", "digest");
    String appearance = dj("rgb-real").get("status", "result", "digest");
    assertThat(dj("rgb-real").<String>get("status", "result", "artifact"))
        .startsWith("pvc://shapes-data/rgb-real/");
    String pair = PairDigest.of(structure, appearance);

    awaitAvailable("coloured-real");
    GenericKubernetesResource sd = sd("coloured-real");
    assertThat(sd.<String>get("status", "currentDigest")).isEqualTo(pair);
    List<Map<String, Object>> stages = sd.get("status", "stages");
    assertThat(stages)
        .extracting(m -> m.get("stage") + " " + m.get("source") + " " + m.get("digest"))
        .containsExactly("structure shapes-real " + structure, "appearance rgb-real " + appearance);
    AgentPod serving =
        agent.pods().values().stream()
            .filter(p -> "coloured-real".equals(p.labels().get(Labels.STUDENT_DEPLOYMENT)))
            .filter(AgentPod::isRunning)
            .findFirst()
            .orElseThrow();
    assertThat(serving.command()).contains("--appearance");

    String base = servingUrl("coloured-real");
    HttpClient http = HttpClient.newHttpClient();
    JsonNode model =
        new ObjectMapper()
            .readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/model")).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
    assertThat(model.path("digest").asText()).isEqualTo(pair);
    assertThat(model.at("/stages/structure/digest").asText()).isEqualTo(structure);
    assertThat(model.at("/stages/appearance/digest").asText()).isEqualTo(appearance);
    // The 60-step structure student draws some empty shapes: find a seed with a filled one.
    HttpResponse<String> ply = null;
    int seed = 0;
    for (; seed < 16; seed++) {
      ply = generate(http, base, "{\"class\":\"chair\",\"seed\":" + seed + ",\"format\":\"ply\"}");
      if ("0".equals(ply.headers().firstValue("X-Empty-Samples").orElse("0"))) {
        break;
      }
    }
    report.add(
        "$ curl -X POST " + base + "/v1/generate  # coloured-real, ply",
        ply.statusCode() + " " + ply.headers().map());
    assertThat(ply.statusCode()).as(ply.body()).isEqualTo(200);
    assertThat(ply.headers().firstValue("X-Model-Digest")).hasValue(pair);
    assertThat(ply.headers().firstValue("X-Empty-Samples")).as("a filled sample").hasValue("0");
    assertThat(ply.body())
        .startsWith("ply")
        .contains("property uchar red", "property uchar green", "property uchar blue");
    HttpResponse<byte[]> glb =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"class\":\"chair\",\"seed\":" + seed + ",\"format\":\"glb\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(glb.statusCode()).isEqualTo(200);
    assertThat(new String(glb.body(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("glTF");
    assertThat(new String(glb.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("COLOR_0");
    var get =
        Binaries.kubectl(kubeconfig, "get", "studentdeployment", "coloured-real", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl get studentdeployment coloured-real -n team-real", get.output());
    assertThat(get.output()).contains("shapes-real+rgb-real@" + pair.substring(0, 15));
  }

  /**
   * Hands-off retrain-and-deploy: a CI-like loop creates three DistillationJobs in turn (good,
   * deliberately bad, good); the StudentDeployment follows its selector, serves the first, rolls
   * the bad one back on what it generates (it answers every request, so the error rate alone would
   * promote it) and promotes the third, under steady client load without a failed request.
   */
  @Test
  @Order(11)
  void aRetrainLoopIsFollowedHandsOffAndTheBadStudentIsCaughtOnWhatItGenerates() throws Exception {
    // The pipeline of order 10 is done with: its pods would only crowd the 2 cores.
    Binaries.kubectl(
            kubeconfig, "delete", "studentdeployment", "coloured-real", "-n", NS, "--wait=false")
        .exitCode();
    apply("real-mdt-loop.yaml");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(sd("shapes-auto").<Object>get("status", "conditions")))
                    .contains("NoMatchingJob"));
    List<String> timeline;
    List<ReadyPodsLoad.Outcome> outcomes;
    long started = System.nanoTime();
    try (RolloutTimeline t = RolloutTimeline.follow(admin, NS, "shapes-auto")) {
      t.mark("created auto-1 (good: 150 steps at batch 8)");
      apply("real-mdt-loop-1.yaml");
      awaitSucceeded("auto-1");
      awaitAvailable("shapes-auto");
      assertThat(sd("shapes-auto").<String>get("status", "currentSource")).isEqualTo("auto-1");
      try (ReadyPodsLoad load = steadyLoad("shapes-auto")) {
        t.mark("created auto-2 (deliberately bad: 20 steps at 300x the learning rate, no EMA)");
        apply("real-mdt-loop-2.yaml");
        awaitSucceeded("auto-2");
        String bad = awaitVerdict("auto-2", "RolledBack");
        // Caught on what it generates, not on errors: it answered the window's requests.
        assertThat(bad)
            .containsPattern("maxEmptyRate|maxAccuracyDrop|maxDistanceRatio")
            .containsPattern("error rate 0\\.0+ over [1-9][0-9]* requests within maxErrorRate");
        GenericKubernetesResource afterBad = sd("shapes-auto");
        assertThat(afterBad.<Number>get("status", "canary", "requests").longValue())
            .as("user requests the bad canary answered in its window")
            .isPositive();
        assertThat(afterBad.<Number>get("status", "canary", "errorRate").doubleValue())
            .as("the error-rate verdict alone would have promoted it")
            .isLessThanOrEqualTo(0.01);
        assertThat(afterBad.<String>get("status", "currentSource")).isEqualTo("auto-1");

        t.mark("created auto-3 (good: the first recipe, another seed)");
        apply("real-mdt-loop-3.yaml");
        awaitSucceeded("auto-3");
        awaitVerdict("auto-3", "Promoted");
        awaitOnlyPodsOf("shapes-auto", dj("auto-3").get("status", "result", "digest"));
        outcomes = load.outcomes();
      }
      t.mark("load stopped");
      timeline = t.lines();
    }
    var failed = outcomes.stream().filter(o -> o.status() != 200).toList();
    report.add(
        "# hands-off retrain loop of shapes-auto (2 clients, 100 ms pause, routing lag 2 s)",
        String.join("\n", timeline)
            + String.format(
                "%n%d requests in %.0f s, %d failed",
                outcomes.size(), (System.nanoTime() - started) / 1e9, failed.size()));
    Files.write(Path.of("target", "e2e-retrain-loop.txt"), timeline);
    assertThat(failed).as("requests that failed during the loop").isEmpty();
    assertThat(sd("shapes-auto").<String>get("status", "currentSource")).isEqualTo("auto-3");
    var get = Binaries.kubectl(kubeconfig, "get", "sd", "shapes-auto", "-n", NS).requireSuccess();
    report.add("$ kubectl get sd shapes-auto -n team-real", get.output());
    assertThat(get.output()).contains("auto-3");
  }

  /** Waits for the canary of {@code job} to reach {@code state}; returns the verdict's message. */
  static String awaitVerdict(String job, String state) {
    String[] message = new String[1];
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              GenericKubernetesResource sd = sd("shapes-auto");
              message[0] = RolloutTimeline.canaryMessage(sd);
              assertThat(sd.<String>get("status", "canary", "source")).isEqualTo(job);
              assertThat(String.valueOf(sd.<String>get("status", "canary", "state")))
                  .as(
                      "canary of %s: %s; operator log:\n%s\nprobe pods:\n%s",
                      job,
                      message[0],
                      operatorLogAbout("shapes-auto"),
                      logs(p -> p.name().contains("shapes-auto-probe")))
                  .isEqualTo(state);
            });
    return message[0];
  }

  static HttpResponse<String> generate(HttpClient http, String base, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(9)
  void prometheusScrapedEveryPartAndEveryDashboardQueryHasData() throws Exception {
    // Every role answered scrapes Prometheus could parse (up == 1).
    Set<String> rolesUp = new java.util.TreeSet<>();
    for (JsonNode target : prometheus.activeTargets()) {
      String name = target.at("/labels/target").asText();
      JsonNode up = prometheus.query("max_over_time(up{target=\"" + name + "\"}[30m])");
      if (up.size() == 1 && "1".equals(up.get(0).at("/value/1").asText())) {
        rolesUp.add(scraped.role(name));
      }
    }
    assertThat(rolesUp).containsExactlyInAnyOrder("operator", "trainer", "serving");
    // Every pod still running answers now; a trainer that exits on bad input before its server
    // starts is never up. A pod discovered moments ago is "unknown" until its first scrape (1 s
    // interval), so the check waits for that scrape rather than reading a target not yet tried.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              for (JsonNode target : prometheus.activeTargets()) {
                String name = target.at("/labels/target").asText();
                if (scraped.running(name)) {
                  assertThat(target.path("health").asText())
                      .as("%s is running and scraped without error: %s", name, target)
                      .isEqualTo("up");
                }
              }
            });
    // ... and promtool finds nothing wrong in the text each role served.
    for (String role : List.of("operator", "trainer", "serving")) {
      Path text =
          scraped.snapshot(role).orElseThrow(() -> new AssertionError("no " + role + " scrape"));
      var check = Tools.checkMetrics(text);
      report.add("$ promtool check metrics < " + role + " /metrics", check.output());
      assertThat(check.exitCode()).as("%s: %s", role, check.output()).isZero();
      assertThat(check.output().strip()).as(role).isEmpty();
    }
    // Every query of the Grafana dashboard returns data after the activity above.
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(Binaries.chart().resolve("dashboards/distillery.json").toFile());
    List<String> empty = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode t : panel.path("targets")) {
        String expr =
            t.get("expr").asText().replace("$__rate_interval", "20s").replace("$__range", "30m");
        JsonNode result = prometheus.queryRange(expr, scrapeStart, 2);
        if (result.isEmpty()) {
          empty.add(panel.get("title").asText() + ": " + expr);
        }
      }
    }
    assertThat(empty).as("dashboard queries without data").isEmpty();
  }

  /** {@code count} random 2-channel 2^3 latents in 3 classes. */
  @Test
  @Order(12)
  void aJobReadsItsTeacherFromABucketAndPublishesAStudentThatServingPodsFetch() throws Exception {
    storage = ObjectStorageServer.start(cluster.stateDir().resolve("s3"));
    storage.createBucket("models");
    storage.createBucket("runs");
    // The bundled teacher goes into the bucket the way a team's own does: mdt push, manifest last.
    // (Its files as the artifact lists them; the resource folder also holds a note on training.)
    Path bundled =
        ControlPlane.repo().resolve("trainer-image/src/main/resources/models/teacher-16");
    Path teacher = Files.createDirectories(cluster.stateDir().resolve("teacher-to-push"));
    for (String f : List.of("loss.png", "model.json", "weights.safetensors", "manifest.json")) {
      Files.copy(bundled.resolve(f), teacher.resolve(f));
    }
    ProcessBuilder push =
        new ProcessBuilder(
                images.java().toString(),
                "-jar",
                images.mdtJar().toString(),
                "push",
                "--model",
                teacher.toString(),
                "--to",
                "s3://models/teachers/shapes")
            .redirectErrorStream(true);
    push.environment().putAll(storage.environment());
    Process pushed = push.start();
    String pushOutput = new String(pushed.getInputStream().readAllBytes());
    assertThat(pushed.waitFor()).as(pushOutput).isZero();
    report.add("$ mdt push --model teacher-16 --to s3://models/teachers/shapes", pushOutput);
    for (var secret :
        Map.of(
                "s3-credentials",
                ObjectStorageServer.SECRET_KEY,
                "s3-wrong-secret",
                "not-the-secret")
            .entrySet()) {
      admin
          .secrets()
          .inNamespace(NS)
          .resource(
              new io.fabric8.kubernetes.api.model.SecretBuilder()
                  .withNewMetadata()
                  .withName(secret.getKey())
                  .endMetadata()
                  .withStringData(storage.secretData(secret.getValue()))
                  .build())
          .create();
    }
    apply("real-mdt-s3.yaml");

    awaitSucceeded("shapes-s3");
    GenericKubernetesResource job = dj("shapes-s3");
    String digest = job.get("status", "result", "digest");
    assertThat(job.<String>get("status", "result", "artifact"))
        .isEqualTo("s3://runs/jobs/shapes-s3/student-mdt");
    assertThat(job.<String>get("status", "result", "teacherDigest"))
        .isEqualTo(pushOutput.strip().substring(pushOutput.strip().lastIndexOf(' ') + 1));
    // No claim was made for it: the student lives in the bucket only.
    assertThat(admin.persistentVolumeClaims().inNamespace(NS).list().getItems())
        .noneMatch(c -> c.getMetadata().getName().startsWith("shapes-s3"));

    awaitAvailable("shapes-s3");
    Pod servingPod =
        admin
            .pods()
            .inNamespace(NS)
            .withLabel(Labels.STUDENT_DEPLOYMENT, "shapes-s3")
            .list()
            .getItems()
            .get(0);
    assertThat(servingPod.getStatus().getInitContainerStatuses())
        .singleElement()
        .satisfies(
            st -> {
              assertThat(st.getName()).isEqualTo("fetch");
              assertThat(st.getState().getTerminated().getExitCode()).isZero();
              assertThat(st.getState().getTerminated().getMessage())
                  .contains("fetched s3://runs/jobs/shapes-s3/student-mdt (" + digest + ")");
            });
    HttpResponse<String> generated =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(servingUrl("shapes-s3") + "/v1/generate"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"class\":\"chair\",\"seed\":7,\"format\":\"ply\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
    assertThat(generated.headers().firstValue("X-Model-Digest")).hasValue(digest);

    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(dj("s3-denied").<String>get("status", "phase")))
                    .as("s3-denied; agent log:\n%s", agentLog("s3-denied"))
                    .isEqualTo("Failed"));
    assertThat(agentPod("s3-denied").exitCodes()).containsExactly(3);
    var describe =
        Binaries.kubectl(kubeconfig, "describe", "distillationjob", "s3-denied", "-n", NS)
            .requireSuccess();
    report.add("$ kubectl describe distillationjob s3-denied -n team-real", describe.output());
    assertThat(describe.output())
        .contains("InputInvalid")
        .contains("s3://models/teachers/shapes")
        .contains("SignatureDoesNotMatch")
        .doesNotContain("not-the-secret");
  }

  static void writeLatents(Path file, int count) throws IOException {
    java.util.SplittableRandom r = new java.util.SplittableRandom(count);
    float[] x = new float[count * 16];
    long[] y = new long[count];
    for (int i = 0; i < count; i++) {
      y[i] = i % 3;
      for (int k = 0; k < 16; k++) {
        x[i * 16 + k] = (float) r.nextGaussian() + y[i];
      }
    }
    NpzFile.write(file, x, new long[] {count, 2, 2, 2, 2}, y);
  }

  /** The host directory of the hostPath volume {@code claim} is bound to. */
  static Path claimDir(String claim) {
    String[] volume = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var pvc = admin.persistentVolumeClaims().inNamespace(NS).withName(claim).get();
              assertThat(pvc.getStatus().getPhase()).isEqualTo("Bound");
              volume[0] = pvc.getSpec().getVolumeName();
            });
    return Path.of(
        admin.persistentVolumes().withName(volume[0]).get().getSpec().getHostPath().getPath());
  }

  /**
   * Keeps 2 clients sending requests to the serving pods a Service would route to while {@code
   * patch} is merged into the StudentDeployment, runs {@code meanwhile}, and waits until only pods
   * of {@code digest} are left; returns every request's outcome.
   */
  static List<ReadyPodsLoad.Outcome> patchUnderLoad(String patch, String digest, Runnable meanwhile)
      throws InterruptedException {
    try (ReadyPodsLoad load = steadyLoad("shapes-real")) {
      Binaries.kubectl(
              kubeconfig,
              "patch",
              "studentdeployment",
              "shapes-real",
              "-n",
              NS,
              "--type",
              "merge",
              "-p",
              patch)
          .requireSuccess();
      meanwhile.run();
      awaitOnlyPodsOf("shapes-real", digest);
      return load.outcomes();
    }
  }

  /** 2 clients sending a request each per 100 ms to the ready serving pods of {@code sd}. */
  static ReadyPodsLoad steadyLoad(String sd) {
    ReadyPodsLoad load =
        ReadyPodsLoad.start(
            admin,
            NS,
            Map.of(Labels.STUDENT_DEPLOYMENT, sd),
            ROUTING_LAG,
            "{\"class\":\"chair\",\"seed\":1,\"format\":\"voxels\"}",
            2,
            Duration.ofMillis(100));
    await().atMost(Duration.ofSeconds(30)).until(() -> load.outcomes().size() >= 10);
    return load;
  }

  /** Waits until every serving pod of {@code sd} serves {@code digest}, then for routing. */
  static void awaitOnlyPodsOf(String sd, String digest) throws InterruptedException {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(
                        admin
                            .pods()
                            .inNamespace(NS)
                            .withLabels(Map.of(Labels.STUDENT_DEPLOYMENT, sd))
                            .list()
                            .getItems())
                    .as(
                        "serving pods of %s; their log:\n%s",
                        sd, logs(p -> sd.equals(p.labels().get(Labels.STUDENT_DEPLOYMENT))))
                    .isNotEmpty()
                    .allSatisfy(
                        p ->
                            assertThat(p.getMetadata().getAnnotations())
                                .containsEntry(Labels.MODEL_DIGEST, digest)));
    Thread.sleep(2000);
  }

  static void apply(String manifest) {
    Binaries.kubectl(kubeconfig, "apply", "-n", NS, "-f", manifest(manifest).toString())
        .requireSuccess();
  }

  /** Waits for the DistillationJob to succeed; a failure message carries its trainer's log. */
  static void awaitSucceeded(String job) {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(dj(job).<String>get("status", "phase")))
                    .as("agent log:\n%s", agentLog(job))
                    .isEqualTo("Succeeded"));
  }

  /** Waits for the StudentDeployment to be Available; a failure shows its serving pods' logs. */
  static void awaitAvailable(String name) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(String.valueOf(sd(name).<String>get("status", "phase")))
                    .as(
                        "StudentDeployment %s; serving pods:\n%s",
                        name, logs(p -> name.equals(p.labels().get(Labels.STUDENT_DEPLOYMENT))))
                    .isEqualTo("Available"));
  }

  /**
   * The Service's backend: {@code http://<ip>:<port>} of a Ready serving pod of {@code sd}, on the
   * agent's node. (The EndpointSlice controller cannot publish it: slices refuse loopback
   * addresses, and the agent's pods must use them.)
   */
  static String servingUrl(String sd) {
    Pod pod =
        admin
            .pods()
            .inNamespace(NS)
            .withLabel(Labels.STUDENT_DEPLOYMENT, sd)
            .list()
            .getItems()
            .stream()
            .filter(
                p ->
                    p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
            .findFirst()
            .orElseThrow();
    assertThat(pod.getSpec().getNodeName()).isEqualTo(AGENT_NODE);
    assertThat(pod.getStatus().getPodIP()).startsWith("127.81.0.");
    int port = pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    return "http://" + pod.getStatus().getPodIP() + ":" + port;
  }

  /** The trainer pod of the DistillationJob {@code job} (its Job shares the name). */
  static AgentPod agentPod(String job) {
    return agent.pods().values().stream()
        .filter(p -> job.equals(p.labels().get("job-name")))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "the agent ran no pod of " + job + ": " + agent.pods().keySet()));
  }

  static String agentLog(String job) {
    return logs(p -> job.equals(p.labels().get("job-name")));
  }

  static boolean isOperator(AgentPod p) {
    return AgentNodeCluster.isOperator(p);
  }

  static String operatorLog() {
    return logs(RealMdtOnLocalClusterIT::isOperator);
  }

  /** The operator's log lines that name {@code what} or report a problem. */
  static String operatorLogAbout(String what) {
    return agent.pods().values().stream()
        .filter(RealMdtOnLocalClusterIT::isOperator)
        .flatMap(
            p -> {
              try {
                return Files.readAllLines(p.log()).stream();
              } catch (IOException e) {
                return java.util.stream.Stream.of(p.name() + ": " + e);
              }
            })
        .filter(l -> l.contains(what) || l.contains("ERROR") || l.contains("WARN"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  static String servingLog() {
    return logs(p -> "shapes-real".equals(p.labels().get(Labels.STUDENT_DEPLOYMENT)));
  }

  /** Status and log tail of the agent's pods matching {@code which}, for failure messages. */
  static String logs(Predicate<AgentPod> which) {
    return agent.pods().values().stream()
        .filter(which)
        .map(
            p -> {
              try {
                String log = Files.isRegularFile(p.log()) ? Files.readString(p.log()) : "";
                String[] nsAndName = p.name().split("/", 2);
                var pod = admin.pods().inNamespace(nsAndName[0]).withName(nsAndName[1]).get();
                return p.name()
                    + " "
                    + (pod == null ? "(gone)" : pod.getStatus().getContainerStatuses())
                    + ":\n"
                    + log.substring(Math.max(0, log.length() - 3000));
              } catch (IOException e) {
                return p.name() + ": " + e;
              }
            })
        .reduce("", String::concat);
  }

  static String outputClaim(GenericKubernetesResource dj) {
    return admin.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
        .map(c -> c.getMetadata().getName())
        .filter(n -> n.startsWith("shapes-real"))
        .findFirst()
        .orElseThrow();
  }

  static GenericKubernetesResource dj(String name) {
    return Manifests.untyped(admin).inNamespace(NS).withName(name).get();
  }

  static GenericKubernetesResource sd(String name) {
    return Manifests.untypedStudentDeployments(admin).inNamespace(NS).withName(name).get();
  }

  static Path manifest(String file) {
    return ControlPlane.repo().resolve("operator/src/test/resources/e2e").resolve(file);
  }
}
