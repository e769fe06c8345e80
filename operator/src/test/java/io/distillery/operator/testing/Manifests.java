package io.distillery.operator.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

/** DistillationJob manifests as YAML, sent untyped so tests can send what Java types forbid. */
public final class Manifests {
  private Manifests() {}

  /**
   * A minimal valid DistillationJob; {@code specExtra} lines are appended under spec (indented 2).
   */
  public static String distillationJob(String name, String specExtra) {
    return """
        apiVersion: distillery.io/v1alpha1
        kind: DistillationJob
        metadata:
          name: %s
        spec:
          teacher:
            uri: builtin:shipped
          output:
            claimName: artifacts
        %s
        """
        .formatted(name, specExtra.indent(2));
  }

  public static GenericKubernetesResource parse(KubernetesClient client, String yaml) {
    return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
  }

  public static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      untyped(KubernetesClient client) {
    return client.genericKubernetesResources("distillery.io/v1alpha1", "DistillationJob");
  }

  public static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      untypedStudentDeployments(KubernetesClient client) {
    return client.genericKubernetesResources("distillery.io/v1alpha1", "StudentDeployment");
  }
}
