package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The Deployment serving the current model (the plan's stable model). */
@KubernetesDependent(informer = @Informer(labelSelector = StudentNames.STABLE_SELECTOR))
public class StableDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, StudentDeployment> {

  public StableDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(StudentDeployment sd, Context<StudentDeployment> ctx) {
    StudentDeploymentContext shared = StudentDeploymentContext.of(ctx);
    return ServingDeployments.stable(sd, shared.plan().stable(), shared.settings());
  }

  @Override
  protected ResourceID targetSecondaryResourceID(
      StudentDeployment sd, Context<StudentDeployment> ctx) {
    return new ResourceID(StudentNames.stable(sd), sd.getMetadata().getNamespace());
  }
}
