package io.distillery.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.RenderedChart;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator (target/quarkus-app, prod profile) started the way the chart's Deployment
 * starts it: with exactly the environment the chart renders, and authenticated as the chart's
 * ServiceAccount by a real TokenRequest token, against a real API server holding the chart's RBAC.
 * Its probe paths answer 200, it takes the Lease the chart names in the release namespace,
 * reconciles a DistillationJob, and serves the metrics the dashboard queries.
 */
class ChartConfiguredOperatorIT {
  static final String RELEASE_NS = "distillery-system";

  @Test
  void operatorRunsWithTheChartsEnvironmentAndIdentity() throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    assertThat(jar).as("run after package").exists();
    RenderedChart chart =
        RenderedChart.render(
            "distillery", RELEASE_NS, "--set", "leaderElection.leaseName=chart-lease");
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient admin = api.client();
      admin
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(RELEASE_NS).endMetadata().build())
          .create();
      chart.identityAndRbac().forEach(o -> admin.resource(o).serverSideApply());
      String ns = api.newNamespace("team");

      GenericKubernetesResource deployment = chart.only("Deployment");
      String serviceAccount = deployment.get("spec", "template", "spec", "serviceAccountName");
      String token =
          admin
              .serviceAccounts()
              .inNamespace(RELEASE_NS)
              .withName(serviceAccount)
              .tokenRequest(
                  new TokenRequestBuilder()
                      .withNewSpec()
                      .withExpirationSeconds(3600L)
                      .endSpec()
                      .build())
              .getStatus()
              .getToken();
      Path kubeconfig = serviceAccountKubeconfig(api.kubeConfigYaml(), token);

      int port = freePort();
      String java = ProcessHandle.current().info().command().orElse("java");
      ProcessBuilder pb =
          new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString()))
              .redirectErrorStream(true)
              .redirectOutput(new File("target/chart-configured-operator.log"));
      Map<String, String> env = pb.environment();
      List<Map<String, Object>> chartEnv =
          deployment.get("spec", "template", "spec", "containers", 0, "env");
      List<String> fromFieldRef = new ArrayList<>();
      for (Map<String, Object> e : chartEnv) {
        if (e.get("value") != null) env.put((String) e.get("name"), (String) e.get("value"));
        else fromFieldRef.add((String) e.get("name"));
      }
      // The downward API gives the pod's namespace; here, the release namespace.
      assertThat(fromFieldRef).containsExactly("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE");
      env.put("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE", RELEASE_NS);
      env.put("KUBECONFIG", kubeconfig.toString());
      assertThat(env.get("QUARKUS_HTTP_PORT")).isEqualTo("8080");
      env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
      Process app = pb.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        for (String probe :
            List.of(
                deployment.<String>get(
                    "spec",
                    "template",
                    "spec",
                    "containers",
                    0,
                    "livenessProbe",
                    "httpGet",
                    "path"),
                deployment.<String>get(
                    "spec",
                    "template",
                    "spec",
                    "containers",
                    0,
                    "readinessProbe",
                    "httpGet",
                    "path"))) {
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .ignoreExceptions()
              .until(() -> get(http, port, probe).statusCode() == 200);
        }

        Manifests.untyped(admin)
            .inNamespace(ns)
            .resource(
                Manifests.parse(
                    admin,
                    Manifests.distillationJob("charted", "")
                        .replace("claimName: artifacts", "size: 1Gi")))
            .create();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () -> {
                  var job = admin.batch().v1().jobs().inNamespace(ns).withName("charted").get();
                  assertThat(job).isNotNull();
                  // The trainer image the chart configured.
                  assertThat(
                          job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                      .isEqualTo("ghcr.io/distillery/mdt:0.1.0");
                  assertThat(
                          Manifests.untyped(admin)
                              .inNamespace(ns)
                              .withName("charted")
                              .get()
                              .<String>get("status", "phase"))
                      .isEqualTo("Pending");
                });
        var lease = admin.leases().inNamespace(RELEASE_NS).withName("chart-lease").get();
        assertThat(lease).as("the chart's lease name, in the release namespace").isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        // The leader keeps renewing it: a refused renewal would lose leadership and stop it.
        var firstRenewal = lease.getSpec().getRenewTime();
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () ->
                    !firstRenewal.equals(
                        admin
                            .leases()
                            .inNamespace(RELEASE_NS)
                            .withName("chart-lease")
                            .get()
                            .getSpec()
                            .getRenewTime()));

        // The operator metrics the dashboard queries exist under those names.
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () ->
                    assertThat(get(http, port, "/q/metrics").body())
                        .containsPattern("distillery_jobs\\{phase=\"Pending\",?} 1\\.0")
                        .contains("distillery_student_deployments{phase=")
                        .contains("operator_sdk_reconciliations_success_total"));
        // Nothing the operator did was refused by the chart's RBAC.
        assertThat(Files.readString(Path.of("target/chart-configured-operator.log")))
            .doesNotContain("is forbidden");
      } finally {
        app.destroy();
        if (!app.waitFor(20, TimeUnit.SECONDS)) app.destroyForcibly();
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  /** A kubeconfig for the admin's server that authenticates with {@code token} only. */
  static Path serviceAccountKubeconfig(String adminKubeconfig, String token) throws Exception {
    Config admin = Config.fromKubeconfig(adminKubeconfig);
    String ca =
        admin.getCaCertData() != null
            ? admin.getCaCertData()
            : java.util.Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: operator
          user:
            token: %s
        contexts:
        - name: operator
          context:
            cluster: test
            user: operator
            namespace: %s
        current-context: operator
        """
            .formatted(admin.getMasterUrl(), ca, token, RELEASE_NS);
    Path file = Files.createTempFile("sa-kubeconfig", ".yaml");
    return Files.writeString(file, yaml);
  }

  static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
