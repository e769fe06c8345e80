package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.AutoscalingSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** An autoscaling/v2 HPA on the stable Deployment (the canary keeps its fixed share). */
@KubernetesDependent(informer = @Informer(labelSelector = StudentNames.CHILD_SELECTOR))
public class AutoscalerDependent
    extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, StudentDeployment> {

  public AutoscalerDependent() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  protected HorizontalPodAutoscaler desired(StudentDeployment sd, Context<StudentDeployment> ctx) {
    return desired(sd);
  }

  /** Pure desired state. */
  public static HorizontalPodAutoscaler desired(StudentDeployment sd) {
    AutoscalingSpec a = sd.getSpec().autoscaling;
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName(StudentNames.stable(sd))
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(StudentNames.labels(sd))
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(StudentNames.stable(sd))
        .endScaleTargetRef()
        .withMinReplicas(a.minReplicas == null ? 1 : a.minReplicas)
        .withMaxReplicas(a.maxReplicas)
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(
            a.targetCPUUtilizationPercentage == null ? 70 : a.targetCPUUtilizationPercentage)
        .endTarget()
        .endResource()
        .endMetric()
        .endSpec()
        .build();
  }
}
