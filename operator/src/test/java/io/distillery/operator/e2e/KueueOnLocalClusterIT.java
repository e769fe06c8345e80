package io.distillery.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.agent.AgentPod;
import io.distillery.agent.Entrypoints;
import io.distillery.agent.NodeAgent;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.Binaries;
import io.distillery.operator.testing.harnesses.CommandReport;
import io.distillery.operator.testing.harnesses.ControlPlane;
import io.distillery.operator.testing.harnesses.LocalCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DistillationJobs under a real Kueue (v0.17, started by {@code hack/cluster up} with its CRDs and
 * webhooks): the node agent's node advertises 8 {@code nvidia.com/gpu}, played by the CPU, and the
 * trainers are the real {@code mdt distill}. A ClusterQueue of 8 GPUs admits two 4-GPU jobs and
 * holds the third in the queue until quota frees; a high-priority job preempts a low-priority one,
 * whose trainer checkpoints on SIGTERM and exits 143 and which, re-admitted, resumes from its
 * checkpoint to the very student an uninterrupted run makes; a job naming a LocalQueue that does
 * not exist stays Queued and says so; a trainer pod deleted mid-run (SIGTERM, exit 143) uses up no
 * retry of a job with backoffLimit 0. The operator runs as the chart installs it, with its RBAC.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KueueOnLocalClusterIT {
  static final String NS = "team-kueue";
  static final String QUEUE = "team-gpus";
  static final String AGENT_NODE = "mdt-node-1";
  static final int MAX_STEPS = 120;
  static final int CHECKPOINT_EVERY = 10;
  static final Pattern STOPPED = Pattern.compile("stopped by SIGTERM/SIGINT after step (\\d+)");
  // mdt distill's summary: "120 steps (resumed from 33), ...".
  static final Pattern RESUMED = Pattern.compile("\\d+ steps \\(resumed from (\\d+)\\)");
  static CommandReport report;
  static LocalCluster cluster;
  static KubernetesClient admin;
  static Path kubeconfig;
  static NodeAgent agent;

  /** The student digest of an uninterrupted run of the shared recipe (set by the first test). */
  static String uninterruptedDigest;

  @BeforeAll
  static void up() throws Exception {
    Entrypoints images = Entrypoints.inRepository(ControlPlane.repo());
    cluster = LocalCluster.start();
    admin = cluster.client();
    kubeconfig = cluster.stateDir().resolve("kubeconfig");
    report = CommandReport.at(Path.of("target", "e2e-kueue.txt"));
    // 8 CPUs, 32Gi and 8 nvidia.com/gpu.
    agent = NodeAgent.start(admin, AGENT_NODE, cluster.stateDir().resolve("agent"), images);
    var install = AgentNodeCluster.installChartOnAgentNode(kubeconfig);
    assertThat(install.exitCode()).as(install.output()).isZero();
    Binaries.kubectl(kubeconfig, "create", "namespace", NS).requireSuccess();
    AgentNodeCluster.hostPathVolumes(cluster, "kueue-pv", 8);
    var queues =
        Binaries.kubectl(
            kubeconfig,
            "apply",
            "--server-side",
            "-f",
            ControlPlane.repo()
                .resolve("operator/src/test/resources/e2e/kueue-queues.yaml")
                .toString());
    report.add("$ kubectl apply -f e2e/kueue-queues.yaml", queues.output());
    assertThat(queues.exitCode()).as(queues.output()).isZero();
  }

  @AfterAll
  static void down() throws Exception {
    if (agent != null) {
      AgentNodeCluster.keepOperatorLog(agent, Path.of("target", "e2e-kueue-operator.log"));
      agent.close();
    }
    if (cluster != null) {
      Path kueueLog = cluster.stateDir().resolve("logs/kueue.log");
      if (Files.isRegularFile(kueueLog)) {
        Files.copy(
            kueueLog,
            Path.of("target", "e2e-kueue-manager.log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void eightGpusAdmitTwoFourGpuJobsAndTheThirdWaitsInItsQueueUntilQuotaFrees() throws IOException {
    List<String> jobs = List.of("gpus-a", "gpus-b", "gpus-c");
    for (String job : jobs) {
      apply(job(job, QUEUE, 4, null, MAX_STEPS));
    }
    // A queue that does not exist: Kueue never admits it, and its status says why.
    apply(job("lost", "no-such-queue", 4, null, MAX_STEPS));

    // While two train, the third is Queued with a message naming the queue; never three at once.
    Set<String> queuedMessages = ConcurrentHashMap.newKeySet();
    int[] mostActive = new int[1];
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              int active = 0;
              for (String job : jobs) {
                GenericKubernetesResource dj = dj(job);
                Job trainer = admin.batch().v1().jobs().inNamespace(NS).withName(job).get();
                if (trainer != null && trainer.getStatus() != null) {
                  active += orZero(trainer.getStatus().getActive());
                }
                if ("Queued".equals(dj.get("status", "phase"))) {
                  queuedMessages.add(job + ": " + progressingMessage(dj));
                }
              }
              mostActive[0] = Math.max(mostActive[0], active);
              for (String job : jobs) {
                assertThat(String.valueOf(dj(job).<String>get("status", "phase")))
                    .as("phase of %s; agent log:\n%s", job, agentLog(job))
                    .isEqualTo("Succeeded");
              }
            });
    report.add("# messages of the jobs while Queued", String.join("\n", queuedMessages));
    assertThat(mostActive[0]).as("trainer pods active at once").isEqualTo(2);
    assertThat(queuedMessages)
        .as("the job held back said which queue it waits in")
        .anySatisfy(m -> assertThat(m).contains("queue " + QUEUE));
    // Each ran on the agent's node, asked for 4 GPUs, and trained on the CPU as one replica.
    for (String job : jobs) {
      AgentPod trainer = trainerPods(job).get(0);
      assertThat(trainer.exitCodes()).containsExactly(0);
      assertThat(trainer.command()).endsWith("--device", "cpu", "--replicas", "1");
    }
    var pod = admin.pods().inNamespace(NS).withLabel("job-name", "gpus-a").list().getItems().get(0);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("4"));
    // Same recipe and seed: the same student, three times.
    uninterruptedDigest = dj("gpus-a").get("status", "result", "digest");
    assertThat(uninterruptedDigest).matches("sha256:[0-9a-f]{64}");
    for (String job : jobs) {
      assertThat(dj(job).<String>get("status", "result", "digest")).isEqualTo(uninterruptedDigest);
    }
    report.add(
        "$ kubectl get distillationjobs,workloads -n team-kueue",
        Binaries.kubectl(kubeconfig, "get", "distillationjobs,workloads", "-n", NS)
            .requireSuccess()
            .output());

    // The job of the missing queue is still Queued, and names the LocalQueue.
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              GenericKubernetesResource lost = dj("lost");
              assertThat(lost.<String>get("status", "phase")).isEqualTo("Queued");
              assertThat(progressingReason(lost)).isEqualTo("LocalQueueMissing");
              assertThat(progressingMessage(lost))
                  .contains("LocalQueue no-such-queue is missing in namespace " + NS);
            });
    assertThat(trainerPods("lost")).isEmpty();
    report.add(
        "$ kubectl get dj lost -n team-kueue -o jsonpath={.status.conditions[0].message}",
        progressingMessage(dj("lost")));
  }

  @Test
  @Order(2)
  void aPreemptedLowPriorityTrainerCheckpointsWaitsAndResumesToTheSameStudent() throws Exception {
    assertThat(uninterruptedDigest).as("the first test's uninterrupted run").isNotNull();
    apply(job("low", QUEUE, 4, "distillery-low", MAX_STEPS));
    Set<String> lowPhases = ConcurrentHashMap.newKeySet();
    // Train until a checkpoint exists, then the high-priority job needs all 8 GPUs.
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              GenericKubernetesResource low = dj("low");
              lowPhases.add(String.valueOf(low.<String>get("status", "phase")));
              Number step = low.get("status", "progress", "step");
              assertThat(step == null ? 0 : step.longValue())
                  .as("step of low; agent log:\n%s", agentLog("low"))
                  .isGreaterThan(2L * CHECKPOINT_EVERY);
            });
    apply(job("high", QUEUE, 8, "distillery-high", 20));

    // Kueue evicts low: its trainer gets SIGTERM, checkpoints and exits 143; low is Queued with
    // the reason Preempted, naming its queue.
    String[] preempted = new String[1];
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              GenericKubernetesResource low = dj("low");
              lowPhases.add(String.valueOf(low.<String>get("status", "phase")));
              assertThat(progressingReason(low))
                  .as("low: %s; agent log:\n%s", progressingMessage(low), agentLog("low"))
                  .isEqualTo("Preempted");
              preempted[0] = progressingMessage(low);
            });
    assertThat(dj("low").<String>get("status", "phase")).isEqualTo("Queued");
    assertThat(preempted[0]).contains("preempted by Kueue").contains("queue " + QUEUE);
    report.add("# low's message while preempted", preempted[0]);

    // high trains and finishes; then low is admitted again and finishes too.
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              GenericKubernetesResource low = dj("low");
              lowPhases.add(String.valueOf(low.<String>get("status", "phase")));
              assertThat(String.valueOf(low.<String>get("status", "phase")))
                  .as("low; agent log:\n%s", agentLog("low"))
                  .isIn("Succeeded", "Failed");
            });
    assertThat(dj("high").<String>get("status", "phase")).isEqualTo("Succeeded");
    assertThat(dj("low").<String>get("status", "phase")).isEqualTo("Succeeded");
    assertThat(lowPhases).as("phases low went through").contains("Queued").doesNotContain("Failed");

    // The first attempt stopped on SIGTERM with its step checkpointed (exit 143); the second said
    // it resumed from a checkpoint past step 0 and trained on from there.
    List<AgentPod> attempts = trainerPods("low");
    assertThat(attempts).as(agentLog("low")).hasSize(2);
    AgentPod first =
        attempts.stream().filter(p -> p.exitCodes().contains(143)).findFirst().orElseThrow();
    AgentPod second = attempts.stream().filter(p -> p != first).findFirst().orElseThrow();
    assertThat(first.exitCodes()).as(log(first)).containsExactly(143);
    Matcher stopped = STOPPED.matcher(log(first));
    assertThat(stopped.find()).as(log(first)).isTrue();
    long stoppedAt = Long.parseLong(stopped.group(1));
    assertThat(second.exitCodes()).as(log(second)).containsExactly(0);
    Matcher resumed = RESUMED.matcher(log(second));
    assertThat(resumed.find()).as(log(second)).isTrue();
    long resumedFrom = Long.parseLong(resumed.group(1));
    assertThat(resumedFrom).isPositive().isLessThanOrEqualTo(stoppedAt);
    report.add(
        "# low: preempted and resumed",
        "first attempt: exit 143, stopped after step "
            + stoppedAt
            + "; second attempt: resumed from step "
            + resumedFrom);
    // The preempted attempt used up none of the backoff limit.
    Job trainer = admin.batch().v1().jobs().inNamespace(NS).withName("low").get();
    assertThat(orZero(trainer.getStatus().getFailed())).as("failed attempts counted").isZero();
    // ... and the student is the one an uninterrupted run of the same recipe made.
    assertThat(dj("low").<String>get("status", "result", "digest")).isEqualTo(uninterruptedDigest);
    report.add(
        "$ kubectl get distillationjobs -n team-kueue",
        Binaries.kubectl(kubeconfig, "get", "distillationjobs", "-n", NS)
            .requireSuccess()
            .output());
  }

  @Test
  @Order(3)
  void aTrainerStoppedBySigtermUsesNoRetryAndResumes() throws Exception {
    assertThat(uninterruptedDigest).as("the first test's uninterrupted run").isNotNull();
    // No retries allowed: only the pod failure policy's Ignore of exit 143 lets it go on.
    apply(
        job("drained", QUEUE, 4, null, MAX_STEPS).replace("spec:\n", "spec:\n  backoffLimit: 0\n"));
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Number step = dj("drained").get("status", "progress", "step");
              assertThat(step == null ? 0 : step.longValue())
                  .as("step of drained; agent log:\n%s", agentLog("drained"))
                  .isGreaterThan(2L * CHECKPOINT_EVERY);
            });
    // A person or a drain deletes the pod (no DisruptionTarget condition): SIGTERM, exit 143.
    admin.pods().inNamespace(NS).withLabel("job-name", "drained").delete();
    Set<String> phases = ConcurrentHashMap.newKeySet();
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              String phase = String.valueOf(dj("drained").<String>get("status", "phase"));
              phases.add(phase);
              assertThat(phase)
                  .as("drained; agent log:\n%s", agentLog("drained"))
                  .isIn("Succeeded", "Failed");
            });
    assertThat(dj("drained").<String>get("status", "phase"))
        .as("message: %s", progressingMessage(dj("drained")))
        .isEqualTo("Succeeded");
    assertThat(phases).doesNotContain("Failed");
    List<AgentPod> attempts = trainerPods("drained");
    assertThat(attempts).as(agentLog("drained")).hasSize(2);
    assertThat(attempts).anySatisfy(p -> assertThat(p.exitCodes()).containsExactly(143));
    AgentPod second =
        attempts.stream().filter(p -> p.exitCodes().contains(0)).findFirst().orElseThrow();
    Matcher resumed = RESUMED.matcher(log(second));
    assertThat(resumed.find()).as(log(second)).isTrue();
    assertThat(Long.parseLong(resumed.group(1))).isPositive();
    assertThat(dj("drained").<String>get("status", "result", "digest"))
        .isEqualTo(uninterruptedDigest);
    report.add(
        "# drained: pod deleted mid-run, backoffLimit 0",
        "exit codes "
            + attempts.stream().map(AgentPod::exitCodes).toList()
            + "; resumed from step "
            + resumed.group(1));
  }

  /**
   * The shared tiny recipe (built-in teacher and data, seed 42), on the agent's node. Batch 8: a
   * job renders one data-parallel replica per requested GPU and the trainer config refuses a batch
   * smaller than that, so the 8-GPU job needs at least 8.
   */
  static String job(String name, String queue, int gpus, String priorityClass, int maxSteps) {
    return """
        apiVersion: distillery.io/v1alpha1
        kind: DistillationJob
        metadata:
          name: %s
        spec:
          queueName: %s
          teacher: {uri: "builtin:shipped"}
          dataset: {uri: "builtin:shapes"}
          method: mdt
          studentSteps: [1]
          checkpointEverySteps: %d
          hyperparameters: {maxSteps: %d, batchSize: 8}
          evaluation: {samples: 8}
          output: {size: 1Gi}
          resources: {cpu: "1", memory: 3Gi, gpus: %d}
          placement:
            %s
            nodeSelector: {distillery.io/node-agent: mdt}
            tolerations:
              - {key: distillery.io/node-agent, operator: Equal, value: mdt, effect: NoSchedule}
        """
        .formatted(
            name,
            queue,
            CHECKPOINT_EVERY,
            maxSteps,
            gpus,
            priorityClass == null ? "" : "priorityClassName: " + priorityClass);
  }

  static void apply(String yaml) {
    admin.resource(Manifests.parse(admin, yaml)).inNamespace(NS).create();
  }

  static GenericKubernetesResource dj(String name) {
    return Manifests.untyped(admin).inNamespace(NS).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> progressing(GenericKubernetesResource dj) {
    List<Map<String, Object>> conditions = dj.get("status", "conditions");
    if (conditions == null) {
      return Map.of();
    }
    return conditions.stream()
        .filter(c -> "Progressing".equals(c.get("type")))
        .findFirst()
        .orElse(Map.of());
  }

  static String progressingReason(GenericKubernetesResource dj) {
    return String.valueOf(progressing(dj).get("reason"));
  }

  static String progressingMessage(GenericKubernetesResource dj) {
    return String.valueOf(progressing(dj).get("message"));
  }

  static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  /** The agent's trainer pods of {@code job}. */
  static List<AgentPod> trainerPods(String job) {
    List<AgentPod> pods = new ArrayList<>();
    for (AgentPod p : agent.pods().values()) {
      if (job.equals(p.labels().get("job-name"))) {
        pods.add(p);
      }
    }
    return pods;
  }

  static String log(AgentPod p) {
    try {
      return Files.isRegularFile(p.log()) ? Files.readString(p.log()) : "";
    } catch (IOException e) {
      return p.name() + ": " + e;
    }
  }

  static String agentLog(String job) {
    StringBuilder b = new StringBuilder();
    for (AgentPod p : trainerPods(job)) {
      String log = log(p);
      b.append(p.name())
          .append(" exits ")
          .append(p.exitCodes())
          .append(":\n")
          .append(log, Math.max(0, log.length() - 2000), log.length())
          .append('\n');
    }
    return b.toString();
  }
}
