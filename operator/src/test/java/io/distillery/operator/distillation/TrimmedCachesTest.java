package io.distillery.operator.distillation;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.common.OperatorSettings;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The informer caches keep what the reconciler and the dependents read, and drop the rest. */
class TrimmedCachesTest {
  @Test
  void aCachedJobKeepsItsIdentitySuspendTtlAndStatusButNotItsPodTemplate() {
    DistillationJob dj = Fixtures.distillationJob("trim");
    dj.getSpec().ttlSecondsAfterFinished = 600;
    Job job = TrainerJobDependent.desired(dj, OperatorSettings.defaults(), null);
    job.getMetadata().setUid("uid-1");
    job.getMetadata().setManagedFields(List.of(new ManagedFieldsEntry()));
    job.setStatus(
        new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withActive(1).build());

    Job stored = cachedJob(job);

    assertThat(stored.getSpec().getTemplate()).isNull();
    assertThat(stored.getMetadata().getManagedFields()).isNull();
    assertThat(stored.getMetadata().getName()).isEqualTo("trim");
    assertThat(stored.getMetadata().getUid()).isEqualTo("uid-1");
    assertThat(stored.getSpec().getSuspend()).isFalse();
    assertThat(stored.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);
    assertThat(stored.getStatus().getActive()).isEqualTo(1);
  }

  @Test
  void aCachedPodKeepsItsStatusAndContainerPortsOnly() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("trim-abc")
            .withManagedFields(new ManagedFieldsEntry())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("trainer")
            .withImage("mdt")
            .addNewEnv()
            .withName("A")
            .withValue("b")
            .endEnv()
            .addNewPort()
            .withName("progress")
            .withContainerPort(8081)
            .endPort()
            .endContainer()
            .addNewVolume()
            .withName("output")
            .endVolume()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP("10.0.0.1")
            .endStatus()
            .build();

    TrainerPodStore store = new TrainerPodStore();
    store.put("ns/trim-abc", pod);
    Pod stored = store.get("ns/trim-abc");

    assertThat(stored.getMetadata().getManagedFields()).isNull();
    assertThat(stored.getSpec().getVolumes()).isEmpty();
    assertThat(stored.getSpec().getContainers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("trainer");
              assertThat(c.getEnv()).isEmpty();
              assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(8081);
            });
    assertThat(stored.getStatus().getPodIP()).isEqualTo("10.0.0.1");
  }

  private static Job cachedJob(Job job) {
    TrainerJobStore store = new TrainerJobStore();
    store.put("ns/trim", job);
    return store.get("ns/trim");
  }
}
