package io.distillery.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.DistillationJobStatus;
import io.distillery.operator.api.v1alpha1.Phase;
import io.distillery.operator.api.v1alpha1.ResultStatus;
import io.distillery.operator.api.v1alpha1.Stage;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.distillery.operator.testing.fixtures.Fixtures;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The StudentDeployment controller's informer of DistillationJobs caches what choosing and
 * resolving a source reads, and drops the rest (managed fields, kubectl's last-applied copy, the
 * spec but its stage).
 */
class SourceJobCacheTest {
  @Test
  void theSourceJobsInformerTrimsItsCacheToWhatServingReads() {
    ItemStore<DistillationJob> store =
        ServingEventSources.sourceJobsConfig(null, new AtomicReference<>())
            .getInformerConfig()
            .getItemStore();
    assertThat(store).as("the source-jobs informer's own item store").isNotNull();

    DistillationJob whole = succeededJob();
    store.put("ml/shapes", succeededJob());
    DistillationJob cached = store.get("ml/shapes");

    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getAnnotations())
        .doesNotContainKey(SourceJobStore.LAST_APPLIED)
        .containsEntry("team", "shapes");
    assertThat(cached.getMetadata().getLabels()).containsEntry("model", "shapes");
    assertThat(cached.getMetadata().getCreationTimestamp()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(cached.getSpec().teacher).isNull();
    assertThat(cached.getSpec().output).isNull();
    assertThat(cached.getSpec().stage).isEqualTo(Stage.STRUCTURE);
    assertThat(cached.getStatus().result.digest).isEqualTo(Fixtures.digest('b'));

    // A deployment resolves the cached job as it resolves the whole one.
    StudentDeployment sd = Fixtures.studentDeployment("serve", null);
    sd.getSpec().source.modelUri = null;
    sd.getSpec().source.distillationJobRef = "shapes";
    assertThat(SourceResolution.of(sd, cached)).isEqualTo(SourceResolution.of(sd, whole));
    assertThat(SourceResolution.of(sd, cached).ready()).isTrue();
  }

  private static DistillationJob succeededJob() {
    DistillationJob dj = Fixtures.distillationJob("shapes");
    dj.getSpec().stage = Stage.STRUCTURE;
    dj.getMetadata().setLabels(Map.of("model", "shapes"));
    Map<String, String> annotations = new HashMap<>();
    annotations.put(SourceJobStore.LAST_APPLIED, "{\"spec\":{\"teacher\":{}}}");
    annotations.put("team", "shapes");
    dj.getMetadata().setAnnotations(annotations);
    dj.getMetadata().setCreationTimestamp("2026-12-01T10:00:00Z");
    dj.getMetadata().setManagedFields(List.of(new ManagedFieldsEntry()));
    dj.setStatus(new DistillationJobStatus());
    dj.getStatus().phase = Phase.Succeeded;
    dj.getStatus().result = new ResultStatus();
    dj.getStatus().result.artifact = "pvc://artifacts/shapes/student-mdt";
    dj.getStatus().result.digest = Fixtures.digest('b');
    return dj;
  }
}
