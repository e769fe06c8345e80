package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (target/quarkus-app, prod profile) against a real API server: it takes
 * the leader-election Lease, watches only the configured namespace, reconciles a DistillationJob
 * and serves Prometheus metrics. This is the production wiring, not the in-process harness.
 */
class OperatorAppIT {
  @Test
  void packagedOperatorTakesTheLeaseReconcilesAndServesMetrics() throws Exception {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
    assertThat(jar).as("run after package").exists();
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("app");
      String other = api.newNamespace("unwatched");
      Path kubeconfig = Files.createTempFile("operator-kubeconfig", ".yaml");
      Files.writeString(kubeconfig, api.kubeConfigYaml());
      int port = freePort();
      String java = ProcessHandle.current().info().command().orElse("java");
      ProcessBuilder pb =
          new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString()))
              .redirectErrorStream(true)
              .redirectOutput(new File("target/operator-app-it.log"));
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
      pb.environment().put("DISTILLERY_WATCH_NAMESPACES", ns);
      pb.environment().put("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE", ns);
      Process app = pb.start();
      try {
        for (String namespace : List.of(ns, other)) {
          client
              .persistentVolumeClaims()
              .inNamespace(namespace)
              .resource(Storage.claim("artifacts", "1Gi"))
              .create();
          Manifests.untyped(client)
              .inNamespace(namespace)
              .resource(Manifests.parse(client, Manifests.distillationJob("app", "")))
              .create();
        }
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> client.batch().v1().jobs().inNamespace(ns).withName("app").get() != null);
        var lease = client.leases().inNamespace(ns).withName("distillery-operator").get();
        assertThat(lease).isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        assertThat(client.batch().v1().jobs().inNamespace(other).list().getItems())
            .as("an unwatched namespace is left alone")
            .isEmpty();

        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body(),
                body ->
                    // Text format 0.0.4 as the Prometheus client writes it (a comma may end
                    // labels).
                    body.matches("(?s).*distillery_jobs\\{phase=\"Pending\",?} 1\\.0.*")
                        && body.contains("operator_sdk_"));
      } finally {
        app.destroy();
        if (!app.waitFor(20, TimeUnit.SECONDS)) {
          app.destroyForcibly();
        }
        Files.deleteIfExists(kubeconfig);
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
