package io.distillery.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.lifecycle.LeadershipLoss;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.OperatorProcess;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged operator's lifecycle with leader election on (the chart's prod profile), as real
 * processes sent real signals: SIGTERM ends it within 5 s and hands the Lease to the standby, also
 * when the API server is gone; losing the Lease ends it with status 1 and a message saying so, and
 * a restarted one takes over; outside a pod the Lease falls back to a namespace instead of failing.
 */
class OperatorLifecycleIT {
  static final Duration SIGTERM_BOUND = Duration.ofSeconds(5);

  /** JOSDK's lease duration: a standby takes an unreleased Lease after at most this. */
  static final Duration LEASE_DURATION = Duration.ofSeconds(15);

  static TestApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = TestApiServer.start();
    client = api.client();
  }

  @AfterAll
  static void stop() {
    if (api != null) api.close();
  }

  @Test
  void sigtermEndsTheLeaderWithinFiveSecondsAndTheStandbyTakesTheReleasedLease() {
    String ns = api.newNamespace("term");
    Map<String, String> env = leaseIn(ns, "term-lease");
    try (OperatorProcess a = OperatorProcess.start("term-a", api.kubeConfigYaml(), ns, env);
        OperatorProcess b = OperatorProcess.start("term-b", api.kubeConfigYaml(), ns, env)) {
      String holder = awaitHolder(ns, "term-lease", h -> a.holds(h) || b.holds(h));
      OperatorProcess leader = a.holds(holder) ? a : b;
      OperatorProcess standby = leader == a ? b : a;
      awaitStarted(standby);
      awaitReconciled(ns, "first");

      leader.sigterm();
      assertThat(leader.waitFor(SIGTERM_BOUND))
          .as("the leader exits within 5 s of SIGTERM; log:\n%s", leader.log())
          .isTrue();
      assertThat(leader.log()).contains("Released the Lease " + ns + "/term-lease");
      awaitHolder(ns, "term-lease", standby::holds, LEASE_DURATION);
      awaitReconciled(ns, "second");
    }
  }

  @Test
  void losingTheLeaseExitsWithStatusOneAndARestartedReplicaTakesOver() {
    String ns = api.newNamespace("loss");
    Map<String, String> env = leaseIn(ns, "loss-lease");
    try (OperatorProcess a = OperatorProcess.start("loss-a", api.kubeConfigYaml(), ns, env)) {
      awaitHolder(ns, "loss-lease", a::holds);
      api.stopControlPlane();
      try {
        assertThat(a.waitFor(Duration.ofSeconds(60)))
            .as("it exits once the renew deadline passed; log:\n%s", a.log())
            .isTrue();
        assertThat(a.exitValue()).isEqualTo(LeadershipLoss.EXIT_CODE);
        assertThat(a.log()).contains("Lost the leader-election Lease " + ns + "/loss-lease");
      } finally {
        api.restartControlPlane();
      }
    }
    try (OperatorProcess b = OperatorProcess.start("loss-b", api.kubeConfigYaml(), ns, env)) {
      awaitHolder(ns, "loss-lease", b::holds);
      awaitReconciled(ns, "after-restart");

      // SIGTERM while the API server is gone: still bounded.
      api.stopControlPlane();
      try {
        b.sigterm();
        assertThat(b.waitFor(SIGTERM_BOUND))
            .as("exits within 5 s of SIGTERM without an API server; log:\n%s", b.log())
            .isTrue();
      } finally {
        api.restartControlPlane();
      }
    }
  }

  @Test
  void outsideAPodWithoutALeaseNamespaceTheLeaseGoesToDefault() {
    String ns = api.newNamespace("fallback");
    // A kubeconfig whose context names no namespace, as many hand-written ones do.
    String kubeconfig = api.kubeConfigYaml().replace("      namespace: default\n", "");
    assertThat(kubeconfig).doesNotContain("namespace:");
    try (OperatorProcess c =
        OperatorProcess.start(
            "fallback-c", kubeconfig, ns, Map.of("DISTILLERY_LEASE_NAME", "fb-lease"))) {
      awaitHolder("default", "fb-lease", c::holds);
      assertThat(c.log()).contains("Lease default/fb-lease").doesNotContain("Lease namespace");
      awaitReconciled(ns, "fallback");
    }
  }

  static Map<String, String> leaseIn(String ns, String lease) {
    return Map.of("DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE", ns, "DISTILLERY_LEASE_NAME", lease);
  }

  static String awaitHolder(
      String ns, String lease, java.util.function.Predicate<String> expected) {
    return awaitHolder(ns, lease, expected, Duration.ofSeconds(120));
  }

  static String awaitHolder(
      String ns, String lease, java.util.function.Predicate<String> expected, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> holder(ns, lease), expected::test);
  }

  static String holder(String ns, String lease) {
    Lease l = client.leases().inNamespace(ns).withName(lease).get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }

  /** Quarkus has started (a standby is running, waiting for the Lease). */
  static void awaitStarted(OperatorProcess p) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> p.log().contains(" started in "));
  }

  /** A new DistillationJob gets its Job: some replica leads and reconciles. */
  static void awaitReconciled(String ns, String name) {
    if (client.persistentVolumeClaims().inNamespace(ns).withName("artifacts").get() == null) {
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
    }
    Manifests.untyped(client)
        .inNamespace(ns)
        .resource(Manifests.parse(client, Manifests.distillationJob(name, "")))
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.batch().v1().jobs().inNamespace(ns).withName(name).get() != null);
  }
}
