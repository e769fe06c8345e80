package io.distillery.operator.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.agent.Entrypoints;
import io.distillery.agent.NodeAgent;
import io.distillery.operator.api.v1alpha1.S3Spec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.serving.ServedModel;
import io.distillery.operator.serving.ServingDeployments;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent runs the serving pods the operator renders for an {@code s3://} model: the {@code
 * fetch} init container first (env from the credentials Secret through a real API server), then
 * {@code mdt serve} on what it fetched. {@code mdt} is played by a shell script standing in for the
 * JVM (the real {@code mdt fetch} and an S3 server are the end-to-end test's): it checks the env it
 * got and exits as {@code mdt fetch} would.
 */
class NodeAgentFetchPodsIT {
  static final String NODE = "agent-fetch-node";
  static final String MDT =
      """
      #!/bin/sh
      # Stand-in for `java <options> -jar mdt.jar <command> ...`.
      while [ "$1" != "-jar" ]; do shift; done
      shift 2
      cmd=$1
      shift
      case "$cmd" in
        fetch)
          while [ $# -gt 0 ]; do
            case "$1" in
              --to) to=$2 ;;
              --uri) uri=$2 ;;
              --termination-message-path) tm=$2 ;;
            esac
            shift
          done
          if [ "$AWS_ACCESS_KEY_ID" != "AKIDTEST" ] || [ "$AWS_SECRET_ACCESS_KEY" != "s3cr3t" ]; then
            echo "$uri: access denied" > "$tm"; exit 3
          fi
          if [ -n "${AWS_REGION+x}" ]; then echo "AWS_REGION set from an absent key" > "$tm"; exit 9; fi
          if [ "$uri" = "s3://models/unreachable" ]; then
            echo "$uri: endpoint $AWS_ENDPOINT_URL_S3 unreachable" > "$tm"; exit 6
          fi
          mkdir -p "$to" && echo '{}' > "$to/model.json"
          exit 0 ;;
        serve)
          while [ $# -gt 0 ]; do
            case "$1" in --model) model=$2 ;; esac
            shift
          done
          [ -f "$model/model.json" ] || { echo "no model at $model"; exit 7; }
          exec sleep 600 ;;
      esac
      exit 2
      """;

  static TestApiServer api;
  static KubernetesClient client;
  static NodeAgent agent;
  static String ns;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = TestApiServer.start();
    client = api.client();
    ns = api.newNamespace("fetch");
    Path java = dir.resolve("java");
    Files.writeString(java, MDT);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Entrypoints images = new Entrypoints(java, dir.resolve("mdt.jar"), dir.resolve("op.jar"));
    agent = NodeAgent.start(client, NODE, dir.resolve("agent"), images);
  }

  @AfterAll
  static void stop() {
    if (agent != null) agent.close();
    if (api != null) api.close();
  }

  @Test
  void theFetchInitContainerWaitsForTheSecretThenServeRunsOnTheFetchedModel() {
    createPod("fetched", "s3://models/shapes/student", "Always", "late-creds");
    // No Secret yet: the kubelet's CreateContainerConfigError, naming it.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> waitingReason(initStatus("fetched")), "CreateContainerConfigError"::equals);
    assertThat(initStatus("fetched").getState().getWaiting().getMessage())
        .isEqualTo("secret \"late-creds\" not found");
    assertThat(pod("fetched").getStatus().getPhase()).isEqualTo("Pending");

    createSecret("late-creds");
    await().atMost(Duration.ofSeconds(60)).until(() -> serveRunning("fetched"));
    ContainerStatus fetch = initStatus("fetched");
    assertThat(fetch.getState().getTerminated().getExitCode()).isZero();
    assertThat(pod("fetched").getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Initialized") && c.getStatus().equals("True"));
  }

  @Test
  void aFailingFetchKeepsThePodUnreadyWithItsExitCodeAndMessage() {
    createSecret("creds");
    createPod("unreachable", "s3://models/unreachable", "Always", "creds");
    // restartPolicy Always: retried after a back-off, the failure kept in lastState meanwhile.
    await().atMost(Duration.ofSeconds(60)).until(() -> lastExit(initStatus("unreachable")) == 6);
    ContainerStatus fetch = initStatus("unreachable");
    var failed =
        fetch.getState().getTerminated() != null
            ? fetch.getState().getTerminated()
            : fetch.getLastState().getTerminated();
    assertThat(failed.getMessage())
        .contains("s3://models/unreachable: endpoint http://127.0.0.1:1 unreachable");
    Pod p = pod("unreachable");
    assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(p.getStatus().getConditions())
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False"));
    assertThat(serveRunning("unreachable")).isFalse();

    // restartPolicy Never: the pod fails with the init container's status.
    createPod("once", "s3://models/unreachable", "Never", "creds");
    await().atMost(Duration.ofSeconds(60)).until(() -> "Failed".equals(phase("once")));
    assertThat(initStatus("once").getState().getTerminated().getExitCode()).isEqualTo(6);
  }

  /** The five keys' Secret without the optional region and pathStyle. */
  private static void createSecret(String name) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(
                    Map.of(
                        "accessKeyId", "AKIDTEST",
                        "secretAccessKey", "s3cr3t",
                        "endpoint", "http://127.0.0.1:1"))
                .build())
        .create();
  }

  /** The operator's own serving pod for an s3:// model, bound to the agent's node. */
  private static void createPod(String name, String uri, String restartPolicy, String secret) {
    StudentDeployment sd = Fixtures.studentDeployment(name, Fixtures.digest('a'));
    sd.getMetadata().setNamespace(ns);
    sd.getSpec().source.modelUri = uri;
    sd.getSpec().s3 = new S3Spec();
    sd.getSpec().s3.credentialsSecret = secret;
    var template =
        ServingDeployments.stable(
                sd,
                new ServedModel(uri, Fixtures.digest('a'), null, null),
                OperatorSettings.defaults())
            .getSpec()
            .getTemplate();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(template.getMetadata().getLabels())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    pod.getSpec().setNodeName(NODE);
    pod.getSpec().setRestartPolicy(restartPolicy);
    // No HTTP server in the stand-in: readiness is not what this test is about.
    pod.getSpec().getContainers().get(0).setReadinessProbe(null);
    client.resource(pod).create();
  }

  private static Pod pod(String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  private static String phase(String name) {
    Pod p = pod(name);
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  private static ContainerStatus initStatus(String name) {
    Pod p = pod(name);
    if (p == null || p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null) {
      return null;
    }
    return p.getStatus().getInitContainerStatuses().stream()
        .filter(c -> c.getName().equals("fetch"))
        .findFirst()
        .orElse(null);
  }

  private static String waitingReason(ContainerStatus c) {
    return c == null || c.getState() == null || c.getState().getWaiting() == null
        ? null
        : c.getState().getWaiting().getReason();
  }

  private static int lastExit(ContainerStatus c) {
    if (c == null) return -1;
    for (var s :
        new io.fabric8.kubernetes.api.model.ContainerState[] {c.getState(), c.getLastState()}) {
      if (s != null && s.getTerminated() != null) return s.getTerminated().getExitCode();
    }
    return -1;
  }

  private static boolean serveRunning(String name) {
    Pod p = pod(name);
    return p != null
        && p.getStatus() != null
        && "Running".equals(p.getStatus().getPhase())
        && p.getStatus().getContainerStatuses() != null
        && p.getStatus().getContainerStatuses().stream()
            .anyMatch(c -> c.getState() != null && c.getState().getRunning() != null);
  }
}
