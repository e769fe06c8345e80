package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** A Workload as Kueue v0.17 writes it (status copied from a real one), read into what matters. */
class KueueWorkloadTest {

  static GenericKubernetesResource workload(String conditions) {
    return Serialization.unmarshal(
        """
        {"apiVersion":"kueue.x-k8s.io/v1beta2","kind":"Workload",
         "metadata":{"name":"job-dj-8e82d","namespace":"ml"},
         "spec":{"queueName":"team-a"},
         "status":{"conditions":%s}}"""
            .formatted(conditions),
        GenericKubernetesResource.class);
  }

  @Test
  void aMissingLocalQueueIsKueuesInadmissibleCondition() {
    KueueWorkload w =
        KueueWorkload.from(
            workload(
                """
                [{"type":"QuotaReserved","status":"False","reason":"Inadmissible",
                  "message":"LocalQueue team-a doesn't exist"}]"""));
    assertThat(w.localQueueMissing("team-a")).isTrue();
    assertThat(w.localQueueMissing("team")).isFalse();
    assertThat(w.evicted()).isNull();
    assertThat(w.pendingMessage()).hasValue("LocalQueue team-a doesn't exist");
  }

  static final String QUOTA_PENDING =
      """
      {"type":"QuotaReserved","status":"False","reason":"Pending","message":"insufficient quota"}""";
  static final String QUOTA_RESERVED =
      """
      {"type":"QuotaReserved","status":"True","reason":"QuotaReserved",
       "message":"Quota reserved in ClusterQueue gpus"}""";
  static final String EVICTED =
      """
      {"type":"Evicted","status":"%s","reason":"Preempted",
       "message":"Preempted to accommodate a workload (UID: u1) due to prioritization"}""";

  @Test
  void anEvictionIsReadWhileItsConditionIsTrue() {
    KueueWorkload w =
        KueueWorkload.from(workload("[" + QUOTA_PENDING + "," + EVICTED.formatted("True") + "]"));
    assertThat(w.evicted().message()).startsWith("Preempted to accommodate");
    assertThat(w.pendingMessage()).hasValue("insufficient quota");
    // Re-admitted: Kueue sets Evicted to False, and the quota is reserved.
    KueueWorkload admitted =
        KueueWorkload.from(workload("[" + QUOTA_RESERVED + "," + EVICTED.formatted("False") + "]"));
    assertThat(admitted.evicted()).isNull();
    assertThat(admitted.pendingMessage()).isEmpty();
  }

  @Test
  void aWorkloadWithoutStatusSaysNothing() {
    KueueWorkload w =
        KueueWorkload.from(
            Serialization.unmarshal(
                "{\"apiVersion\":\"kueue.x-k8s.io/v1beta2\",\"kind\":\"Workload\","
                    + "\"metadata\":{\"name\":\"w\"}}",
                GenericKubernetesResource.class));
    assertThat(w.quotaReserved()).isNull();
    assertThat(w.evicted()).isNull();
    assertThat(w.localQueueMissing("team-a")).isFalse();
  }
}
