package io.distillery.operator.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves the integration-test path on a real kube-apiserver + etcd: a CRD generated from a Java
 * type is applied, a custom resource round-trips, and its status is written through the status
 * subresource with server-side apply (what JOSDK 5 does by default, and what a mock server would
 * not check).
 */
class ApiServerPathIT {
  static TestApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void connect() throws Exception {
    api = TestApiServer.start();
    client = api.client();
    Path dir = Files.createTempDirectory("crd");
    new CRDGenerator()
        .customResourceClasses(Probe.class)
        .forCRDVersions("v1")
        .inOutputDir(dir.toFile())
        .generate();
    Path crdFile = dir.resolve("probes.probe.test.distillery.io-v1.yml");
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().load(crdFile.toFile()).item();
    client.resource(crd).serverSideApply();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .get()
                    .getStatus()
                    .getConditions()
                    .stream()
                    .anyMatch(
                        c -> c.getType().equals("Established") && c.getStatus().equals("True")));
  }

  @AfterAll
  static void close() {
    if (api != null) api.close();
  }

  @Test
  void customResourceRoundTripsAndStatusIsServerSideApplied() {
    Probe probe = new Probe();
    probe.setMetadata(new ObjectMetaBuilder().withName("p1").withNamespace("default").build());
    probe.setSpec(new ProbeSpec());
    probe.getSpec().message = "hello";
    probe.getSpec().replicas = 3;
    client.resource(probe).create();

    Probe read = client.resources(Probe.class).inNamespace("default").withName("p1").get();
    assertThat(read.getSpec().message).isEqualTo("hello");
    assertThat(read.getSpec().replicas).isEqualTo(3);
    assertThat(read.getMetadata().getGeneration()).isEqualTo(1L);

    Probe statusOnly = new Probe();
    statusOnly.setMetadata(new ObjectMetaBuilder().withName("p1").withNamespace("default").build());
    statusOnly.setStatus(new ProbeStatus());
    statusOnly.getStatus().observed = "seen";
    client
        .resource(statusOnly)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("distillery-test")
                .withForce(true)
                .build());

    Probe after = client.resources(Probe.class).inNamespace("default").withName("p1").get();
    assertThat(after.getStatus().observed).isEqualTo("seen");
    assertThat(after.getSpec().message).as("status patch leaves spec alone").isEqualTo("hello");
    assertThat(after.getMetadata().getGeneration())
        .as("status writes do not bump generation")
        .isEqualTo(1L);
    assertThat(after.getMetadata().getManagedFields())
        .anyMatch(
            f -> "distillery-test".equals(f.getManager()) && "status".equals(f.getSubresource()));
  }

  /** A throw-away resource type used only to prove the path. */
  @Group("probe.test.distillery.io")
  @Version("v1")
  public static class Probe extends CustomResource<ProbeSpec, ProbeStatus> implements Namespaced {}

  public static class ProbeSpec {
    public String message;
    public int replicas;
  }

  public static class ProbeStatus {
    public String observed;
  }
}
