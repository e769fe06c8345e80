package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The canary Deployment {@code <name>-canary}: exists only while the plan has a canary model (its
 * precondition, {@link CanaryPrecondition}, false makes the workflow delete it: promotion and
 * rollback).
 */
@KubernetesDependent(informer = @Informer(labelSelector = StudentNames.CANARY_SELECTOR))
public class CanaryDeploymentDependent
    extends CRUDKubernetesDependentResource<Deployment, StudentDeployment> {

  public CanaryDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(StudentDeployment sd, Context<StudentDeployment> ctx) {
    StudentDeploymentContext shared = StudentDeploymentContext.of(ctx);
    return ServingDeployments.canary(sd, shared.plan().canary(), shared.settings());
  }

  @Override
  protected ResourceID targetSecondaryResourceID(
      StudentDeployment sd, Context<StudentDeployment> ctx) {
    return new ResourceID(StudentNames.canary(sd), sd.getMetadata().getNamespace());
  }
}
