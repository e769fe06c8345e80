package io.distillery.operator.serving;

import io.distillery.operator.api.v1alpha1.ServiceSpec;
import io.distillery.operator.api.v1alpha1.StudentDeployment;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Service selecting the pods of both tracks, so a canary takes its share of the traffic. */
@KubernetesDependent(informer = @Informer(labelSelector = StudentNames.CHILD_SELECTOR))
public class ServingServiceDependent
    extends CRUDKubernetesDependentResource<Service, StudentDeployment> {

  public ServingServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(StudentDeployment sd, Context<StudentDeployment> ctx) {
    return desired(sd);
  }

  /** Pure desired state. */
  public static Service desired(StudentDeployment sd) {
    ServiceSpec spec = sd.getSpec().serviceOrDefault();
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(StudentNames.service(sd))
        .withNamespace(sd.getMetadata().getNamespace())
        .withLabels(StudentNames.labels(sd))
        .endMetadata()
        .withNewSpec()
        .withType(spec.typeOrDefault().name())
        .withSelector(StudentNames.selector(sd))
        .addNewPort()
        .withName(StudentNames.HTTP_PORT_NAME)
        .withProtocol("TCP")
        .withPort(spec.portOrDefault())
        .withTargetPort(new IntOrString(StudentNames.HTTP_PORT_NAME))
        .endPort()
        .endSpec()
        .build();
  }
}
