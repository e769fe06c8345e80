package io.distillery.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.api.v1alpha1.StudentPhase;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.OperatorProcess;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fault injection against the packaged operator (a real process, leader election on) and a real API
 * server, loopback only: while 50 DistillationJobs and 5 StudentDeployments progress (the {@link
 * Cluster} plays the job and deployment controllers and the kubelet), the operator is SIGKILLed at
 * random points 20 times, and etcd and the kube-apiserver are killed and restarted once mid-run.
 * Every version of every DistillationJob, StudentDeployment, Job and Deployment is recorded from
 * watches ({@link History}); afterwards there must be no duplicate Job or Deployment, no lost
 * status, no phase that went backwards, and everything settles. Finally SIGTERM: the leader exits
 * within 5 s and a second replica takes the released Lease. The counts go to
 * target/fault-reports/operator.md.
 */
class OperatorFaultInjectionIT {
  static final int JOBS = 50;
  static final int STUDENTS = 5;
  static final int KILLS = 20;
  static final int CONTROL_PLANE_RESTART_AFTER_KILL = 10;
  static final String LEASE = "fault-lease";

  /** Every incarnation is the same pod restarted: it takes its own Lease back at once. */
  static final String IDENTITY = "fault-operator";

  @Test
  void sigkillsAndAControlPlaneRestartLoseNothingDuplicateNothingAndEverythingSettles()
      throws Exception {
    long started = System.nanoTime();
    Random random = new Random(14);
    Report report = new Report();
    try (TestApiServer api = TestApiServer.start()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("faults");
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      History history = new History();
      List<SharedIndexInformer<?>> informers =
          List.of(
              watch(client.resources(DistillationJob.class).inNamespace(ns).inform(), history),
              watch(client.resources(StudentDeployment.class).inNamespace(ns).inform(), history),
              watch(client.batch().v1().jobs().inNamespace(ns).inform(), history),
              watch(client.apps().deployments().inNamespace(ns).inform(), history));
      Cluster cluster = new Cluster(client, ns);
      ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
      ticks.scheduleWithFixedDelay(cluster::tick, 0, 300, TimeUnit.MILLISECONDS);
      Map<String, String> env =
          Map.of(
              "DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE", ns,
              "DISTILLERY_LEASE_NAME", LEASE,
              "DISTILLERY_LEADER_ELECTION_IDENTITY", IDENTITY);
      try {
        for (int i = 0; i < STUDENTS; i++) {
          apply(client, ns, studentDeployment("student-" + i, "job-" + i));
        }
        OperatorProcess operator = OperatorProcess.start("fault-0", api.kubeConfigYaml(), ns, env);
        int incarnation = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
          if (kill <= JOBS / 5) {
            for (int j = 0; j < 5; j++) {
              int n = (kill - 1) * 5 + j;
              apply(client, ns, Manifests.distillationJob("job-" + n, ""));
            }
          }
          awaitLeading(client, ns, operator);
          if (kill == CONTROL_PLANE_RESTART_AFTER_KILL) {
            api.stopControlPlane();
            report.controlPlaneRestarts++;
            Thread.sleep(1_000);
            api.restartControlPlane();
          }
          Thread.sleep(500 + random.nextInt(3_500));
          if (!operator.isAlive()) {
            // It exited on its own (a lost Lease): a pod's restart policy starts it again.
            report.selfExits.add(operator.name() + " exit " + operator.exitValue());
          }
          operator.sigkill();
          report.kills++;
          operator = OperatorProcess.start("fault-" + ++incarnation, api.kubeConfigYaml(), ns, env);
        }
        awaitLeading(client, ns, operator);
        long settleStart = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(150))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> settled(client, ns));
        report.settleSeconds = (System.nanoTime() - settleStart) / 1e9;

        // SIGTERM with a standby: the Lease is released and taken at once.
        try (OperatorProcess standby =
            OperatorProcess.start(
                "fault-standby",
                api.kubeConfigYaml(),
                ns,
                Map.of(
                    "DISTILLERY_LEADER_ELECTION_LEASE_NAMESPACE", ns,
                    "DISTILLERY_LEASE_NAME", LEASE))) {
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(250))
              .until(() -> standby.log().contains("Leader election through the Lease"));
          long term = System.nanoTime();
          operator.sigterm();
          assertThat(operator.waitFor(Duration.ofSeconds(5)))
              .as("exits within 5 s of SIGTERM; log:\n%s", operator.log())
              .isTrue();
          report.sigtermExitSeconds = (System.nanoTime() - term) / 1e9;
          await()
              .atMost(OperatorLifecycleIT.LEASE_DURATION)
              .pollInterval(Duration.ofMillis(100))
              .ignoreExceptions()
              .until(() -> standby.holds(holder(client, ns)));
          report.takeoverSeconds = (System.nanoTime() - term) / 1e9;
          assertThat(operator.log()).contains("Released the Lease " + ns + "/" + LEASE);
        }
      } finally {
        ticks.shutdownNow();
        informers.forEach(SharedIndexInformer::close);
      }
      report.fill(history);
      report.wallSeconds = (System.nanoTime() - started) / 1e9;
      report.write(Path.of("target", "fault-reports", "operator.md"));

      assertThat(report.duplicates).as("duplicate Jobs or Deployments").isEmpty();
      assertThat(report.lost).as("lost status").isEmpty();
      assertThat(report.backwards).as("phases that went backwards").isEmpty();
      assertThat(report.kills).isEqualTo(KILLS);
      // The watches saw every object reach its end, so the checks above had material.
      for (int i = 0; i < JOBS; i++) {
        assertThat(history.lastPhase("DistillationJob/job-" + i)).isEqualTo("Succeeded");
      }
      for (int i = 0; i < STUDENTS; i++) {
        assertThat(history.lastPhase("StudentDeployment/student-" + i)).isEqualTo("Available");
      }
    }
  }

  static boolean settled(KubernetesClient client, String ns) {
    var jobs = client.resources(DistillationJob.class).inNamespace(ns).list().getItems();
    var students = client.resources(StudentDeployment.class).inNamespace(ns).list().getItems();
    return jobs.size() == JOBS
        && jobs.stream()
            .allMatch(j -> j.getStatus() != null && j.getStatus().phase == Phase.Succeeded)
        && students.size() == STUDENTS
        && students.stream()
            .allMatch(s -> s.getStatus() != null && s.getStatus().phase == StudentPhase.Available);
  }

  /** Waits until this incarnation holds the Lease (it starts leading right after). */
  static void awaitLeading(KubernetesClient client, String ns, OperatorProcess operator) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> !operator.isAlive() || operator.log().contains("Took the leader-election Lease"));
  }

  static String holder(KubernetesClient client, String ns) {
    var lease = client.leases().inNamespace(ns).withName(LEASE).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  static <T extends HasMetadata> SharedIndexInformer<T> watch(
      SharedIndexInformer<T> informer, History history) {
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            history.record(obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            history.record(newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            history.deleted(obj);
          }
        });
    return informer;
  }

  static void apply(KubernetesClient client, String ns, String yaml) {
    var resource = Manifests.parse(client, yaml);
    resource.getMetadata().setNamespace(ns);
    client.resource(resource).inNamespace(ns).create();
  }

  static String studentDeployment(String name, String job) {
    return """
        apiVersion: distillery.io/v1alpha1
        kind: StudentDeployment
        metadata:
          name: %s
        spec:
          source: {distillationJobRef: %s}
          replicas: 1
        """
        .formatted(name, job);
  }
}
