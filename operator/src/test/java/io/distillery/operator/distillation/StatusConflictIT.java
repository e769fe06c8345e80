package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.testing.fakes.ClusterSimulator;
import io.distillery.operator.testing.fakes.FakeProgressServer;
import io.distillery.operator.testing.fakes.OperatorHarness;
import io.distillery.operator.testing.fakes.Storage;
import io.distillery.operator.testing.fixtures.Manifests;
import io.distillery.operator.testing.fixtures.Statuses;
import io.distillery.operator.testing.harnesses.TestApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Status writes race another writer: while the trainer reports new progress every few hundred
 * milliseconds (a status patch per reconcile), a second client keeps changing the resource's
 * labels, so the operator's copy is often older than the server's. The status recorder retries
 * those conflicts itself: no reconcile fails, and the newest progress arrives.
 */
class StatusConflictIT {

  @Test
  void statusPatchesSurviveConcurrentWritesWithoutFailedReconciles() throws Exception {
    List<Exception> failures = new CopyOnWriteArrayList<>();
    Metrics failed =
        new Metrics() {
          @Override
          public void failedReconciliation(
              HasMetadata resource, Exception exception, Map<String, Object> metadata) {
            failures.add(exception);
          }
        };
    try (TestApiServer api = TestApiServer.start();
        FakeProgressServer progress = new FakeProgressServer()) {
      KubernetesClient client = api.client();
      String ns = api.newNamespace("conflict");
      client
          .persistentVolumeClaims()
          .inNamespace(ns)
          .resource(Storage.claim("artifacts", "1Gi"))
          .create();
      try (OperatorHarness operator =
          OperatorHarness.start(client, OperatorHarness.fastSettings(), failed, ns)) {
        Manifests.untyped(client)
            .inNamespace(ns)
            .resource(Manifests.parse(client, Manifests.distillationJob("dj", "")))
            .create();
        Job job =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> client.batch().v1().jobs().inNamespace(ns).withName("dj").get(),
                    j -> j != null);
        ClusterSimulator sim = new ClusterSimulator(client);
        progress.answer(200, progressJson(1));
        Pod pod = sim.createPod(job, "dj-a1");
        pod.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(progress.port());
        pod = recreate(client, pod);
        sim.jobStatus(job, 1, 0, 0);
        sim.podStatus(pod, Statuses.running("127.0.0.1"));

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger labelWrites = new AtomicInteger();
        Thread writer =
            new Thread(
                () -> {
                  while (writing.get()) {
                    // A merge patch without a resourceVersion: this writer never conflicts.
                    String patch =
                        "{\"metadata\":{\"labels\":{\"touched\":\"%d\"}}}"
                            .formatted(labelWrites.incrementAndGet());
                    client
                        .resources(DistillationJob.class)
                        .inNamespace(ns)
                        .withName("dj")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                  }
                });
        writer.start();
        try {
          for (int step = 2; step <= 20; step++) {
            progress.answer(200, progressJson(step));
            Thread.sleep(400);
          }
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      client.resources(DistillationJob.class).inNamespace(ns).withName("dj").get(),
                  dj ->
                      dj.getStatus() != null
                          && dj.getStatus().phase == Phase.Running
                          && dj.getStatus().progress != null
                          && Long.valueOf(20).equals(dj.getStatus().progress.step));
        } finally {
          writing.set(false);
          writer.join();
        }
        System.out.printf(
            "label writes during the run: %d; failed reconciles: %d%n",
            labelWrites.get(), failures.size());
        assertThat(labelWrites.get()).isGreaterThan(100);
        assertThat(failures).isEmpty();
      }
    }
  }

  private static Pod recreate(KubernetesClient client, Pod pod) {
    // Container ports are immutable on a real pod: recreate it with the test server's port.
    client.pods().resource(pod).withGracePeriod(0).delete();
    await().until(() -> client.pods().resource(pod).get() == null);
    pod.getMetadata().setResourceVersion(null);
    pod.getMetadata().setUid(null);
    pod.getMetadata().setCreationTimestamp(null);
    pod.setStatus(null);
    return client.pods().resource(pod).create();
  }

  private static String progressJson(long step) {
    return """
        {"phase":"training","step":%d,"maxSteps":100,"percent":%d,"updatedAtMillis":%d}"""
        .formatted(step, step, System.currentTimeMillis());
  }
}
