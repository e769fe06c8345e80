package io.distillery.operator.testing.harnesses;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A client acting as a ServiceAccount through impersonation (the admin's kubeconfig may
 * impersonate): the API server authorizes every request as {@code
 * system:serviceaccount:<namespace>:<name>} with the groups a ServiceAccount token carries.
 */
public final class Impersonation {
  private Impersonation() {}

  public static KubernetesClient asServiceAccount(
      String adminKubeconfigYaml, String namespace, String name) {
    Config config = Config.fromKubeconfig(adminKubeconfigYaml);
    config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + name);
    config.setImpersonateGroups(
        "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Whether {@code client}'s identity may make the call (SelfSubjectAccessReview); {@code
   * namespace} empty for a cluster-scoped call or a list/watch across all namespaces.
   */
  public static boolean can(
      KubernetesClient client,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace) {
    SelfSubjectAccessReview review =
        new SelfSubjectAccessReviewBuilder()
            .withNewSpec()
            .withNewResourceAttributes()
            .withVerb(verb)
            .withGroup(group)
            .withResource(resource)
            .withSubresource(subresource)
            .withNamespace(namespace)
            .endResourceAttributes()
            .endSpec()
            .build();
    return client
        .authorization()
        .v1()
        .selfSubjectAccessReview()
        .create(review)
        .getStatus()
        .getAllowed();
  }
}
