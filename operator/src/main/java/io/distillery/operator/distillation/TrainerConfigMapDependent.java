package io.distillery.operator.distillation;

import io.distillery.operator.api.v1alpha1.DistillationJob;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The ConfigMap holding {@code trainer.yaml}, mounted at {@link DistillationNames#CONFIG_DIR}. */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = DistillationNames.CHILD_SELECTOR,
            itemStore = TrainerConfigMapStore.class))
public class TrainerConfigMapDependent
    extends CRUDKubernetesDependentResource<ConfigMap, DistillationJob> {

  public TrainerConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(DistillationJob dj, Context<DistillationJob> context) {
    return desired(dj, DistillationJobContext.of(context).config());
  }

  /** Pure desired state: the rendered trainer config under the standard labels. */
  public static ConfigMap desired(DistillationJob dj) {
    return desired(dj, RenderedTrainerConfig.of(dj));
  }

  static ConfigMap desired(DistillationJob dj, RenderedTrainerConfig config) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(DistillationNames.configMap(dj))
        .withNamespace(dj.getMetadata().getNamespace())
        .withLabels(DistillationNames.labels(dj))
        .endMetadata()
        .addToData(DistillationNames.CONFIG_KEY, config.yaml())
        .build();
  }
}
