package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.distillery.operator.api.v1alpha1.OutputSpec;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The output claim the operator creates when {@code spec.output.size} is set. It is owned by the
 * DistillationJob and deleted with it; a claim given by {@code spec.output.claimName} is never
 * touched.
 */
@KubernetesDependent(informer = @Informer(labelSelector = DistillationNames.CHILD_SELECTOR))
public class OutputClaimDependent
    extends CRUDKubernetesDependentResource<PersistentVolumeClaim, DistillationJob> {

  public OutputClaimDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  protected PersistentVolumeClaim desired(DistillationJob dj, Context<DistillationJob> context) {
    return desired(dj);
  }

  public static PersistentVolumeClaim desired(DistillationJob dj) {
    OutputSpec output = dj.getSpec().output;
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(DistillationNames.createdClaim(dj))
        .withNamespace(dj.getMetadata().getNamespace())
        .withLabels(DistillationNames.labels(dj))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(output.storageClassName)
        .withNewResources()
        .addToRequests("storage", output.size)
        .endResources()
        .endSpec()
        .build();
  }
}
