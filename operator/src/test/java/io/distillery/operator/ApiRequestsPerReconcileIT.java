package io.distillery.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationConditions;
import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.common.Conditions;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.RequestsPerReconcile;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API requests per reconcile, for a new resource and for a settled one that is looked at again (a
 * reschedule): what a reconcile needs more than once is computed once and read from the context,
 * and everything else comes from the informers' caches. Each case runs its own operator on a fresh
 * namespace, so only one primary reconciles at a time and the counts are exact.
 */
class ApiRequestsPerReconcileIT {
  /**
   * Issue 19: at most 4 per new job. Creates: ConfigMap, claim (or the GET of a given one), Job;
   * one status patch; no event for the first status (JobCreated).
   */
  static final long NEW_JOB_MAX = 4;

  /** Creates: the stable Deployment and the Service; the status patch; a few events. */
  static final long NEW_STUDENT_MAX = 6;

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
  void aNewJobCreatesItsChildrenAndAWaitingOneOnlyReadsAfterwards() throws Exception {
    String ns = api.newNamespace("requests-job");
    RequestsPerReconcile counter = new RequestsPerReconcile();
    try (KubernetesClient operatorClient = counter.client(api.kubeConfigYaml());
        OperatorHarness operator =
            OperatorHarness.start(operatorClient, OperatorHarness.fastSettings(), counter, ns)) {
      createJob(ns, "created", "output: {size: 1Gi}");
      awaitJob(ns, "created", s -> reason(s).equals(DistillationConditions.JOB_CREATED));
      assertNewResourceBurst(counter, "DistillationJob", 4, NEW_JOB_MAX);

      // Settled while the Job waits for its pod: re-read every second, from the caches alone.
      List<Long> settled = afterSettling(counter, 3);
      System.out.printf("requests: waiting DistillationJob, per reconcile: %s%n", settled);
      assertThat(settled).allSatisfy(n -> assertThat(n).isZero());
    }
  }

  @Test
  void aNewJobWithAGivenClaimTakesFourRequests() throws Exception {
    String ns = api.newNamespace("requests-given");
    client
        .persistentVolumeClaims()
        .inNamespace(ns)
        .resource(Storage.claim("artifacts", "1Gi"))
        .create();
    RequestsPerReconcile counter = new RequestsPerReconcile();
    try (KubernetesClient operatorClient = counter.client(api.kubeConfigYaml());
        OperatorHarness operator =
            OperatorHarness.start(operatorClient, OperatorHarness.fastSettings(), counter, ns)) {
      createJob(ns, "given", ""); // claimName: artifacts, which exists
      awaitJob(ns, "given", s -> reason(s).equals(DistillationConditions.JOB_CREATED));
      // The claim's GET, the ConfigMap, the Job, the status.
      assertNewResourceBurst(counter, "DistillationJob with a given claim", 4, NEW_JOB_MAX);
    }
  }

  @Test
  void aJobWaitingForItsClaimChecksItOncePerReconcile() throws Exception {
    String ns = api.newNamespace("requests-claim");
    RequestsPerReconcile counter = new RequestsPerReconcile();
    try (KubernetesClient operatorClient = counter.client(api.kubeConfigYaml());
        OperatorHarness operator =
            OperatorHarness.start(operatorClient, OperatorHarness.fastSettings(), counter, ns)) {
      createJob(ns, "no-claim", ""); // claimName: artifacts, never created
      awaitJob(ns, "no-claim", s -> reason(s).equals(DistillationConditions.CLAIM_NOT_FOUND));
      // The trainer precondition and the reconciler both ask: one GET answers both (it was two).
      List<Long> settled = afterSettling(counter, 3);
      System.out.printf("requests: DistillationJob waiting for its claim: %s%n", settled);
      assertThat(settled).allSatisfy(n -> assertThat(n).isEqualTo(1L));
    }
  }

  @Test
  void aNewStudentDeploymentCreatesItsChildrenThenOnlyReads() throws Exception {
    String ns = api.newNamespace("requests-student");
    RequestsPerReconcile counter = new RequestsPerReconcile();
    try (KubernetesClient operatorClient = counter.client(api.kubeConfigYaml());
        OperatorHarness operator =
            OperatorHarness.startStudentDeployments(
                operatorClient, OperatorHarness.fastSettings(), counter, ns)) {
      StudentDeployment sd = Fixtures.studentDeployment("serving", Fixtures.digest('a'));
      sd.getMetadata().setNamespace(ns);
      sd.getMetadata().setUid(null);
      sd.getMetadata().setGeneration(null);
      client.resource(sd).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client
                      .resources(StudentDeployment.class)
                      .inNamespace(ns)
                      .withName("serving")
                      .get()
                      .getStatus(),
              s -> s != null && s.currentDigest != null);
      assertNewResourceBurst(counter, "StudentDeployment", 3, NEW_STUDENT_MAX);

      // The rollout waits for ready pods (there is no kubelet): re-read every second.
      List<Long> settled = afterSettling(counter, 3);
      System.out.printf("requests: rolling StudentDeployment, per reconcile: %s%n", settled);
      assertThat(settled).allSatisfy(n -> assertThat(n).isZero());
    }
  }

  /**
   * The reconciles of a new resource until it has its children and status: together at least {@code
   * min} requests (the creates) and at most {@code max}, and none of them more than {@code max}.
   * Summed, because the first event may also bring a reconcile that finds nothing to do (one CI run
   * saw a first reconcile of 0 requests, the creates in the next).
   */
  private static void assertNewResourceBurst(
      RequestsPerReconcile counter, String kind, long min, long max) {
    // The status the caller waited for is patched inside the reconcile, so it can be seen a moment
    // before JOSDK reports the reconcile finished and the counter records it.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> counter.counts().stream().mapToLong(Long::longValue).sum() >= min);
    List<Long> burst = counter.counts();
    long total = burst.stream().mapToLong(Long::longValue).sum();
    System.out.printf("requests: new %s, reconciles until settled: %s%n", kind, burst);
    assertThat(total).isBetween(min, max);
    assertThat(burst).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(max));
  }

  /** The counts of {@code n} reconciles after the first burst of events has passed. */
  private static List<Long> afterSettling(RequestsPerReconcile counter, int n)
      throws InterruptedException {
    Thread.sleep(2_000);
    counter.clear();
    await().atMost(Duration.ofSeconds(30)).until(() -> counter.counts().size() >= n);
    return counter.counts().subList(0, n);
  }

  private static void createJob(String ns, String name, String specExtra) {
    String yaml = Manifests.distillationJob(name, specExtra);
    if (specExtra.startsWith("output:")) {
      yaml = yaml.replace("  output:\n    claimName: artifacts\n", "");
    }
    Manifests.untyped(client).inNamespace(ns).resource(Manifests.parse(client, yaml)).create();
  }

  private static void awaitJob(String ns, String name, Predicate<DistillationJobStatus> done) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.resources(DistillationJob.class).inNamespace(ns).withName(name).get(),
            dj -> dj.getStatus() != null && done.test(dj.getStatus()));
  }

  private static String reason(DistillationJobStatus s) {
    return String.valueOf(Conditions.reason(s.conditions, DistillationConditions.PROGRESSING));
  }
}
