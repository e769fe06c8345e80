package io.distillery.operator.testing.harnesses;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The objects {@code helm template} renders from charts/distillery, untyped. */
public record RenderedChart(List<GenericKubernetesResource> objects) {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * Renders the chart with the real helm binary as release {@code release} in {@code namespace};
   * {@code setArgs} are helm flags such as {@code --set}, {@code watchNamespaces={a,b}}.
   */
  public static RenderedChart render(String release, String namespace, String... setArgs) {
    List<String> args =
        new ArrayList<>(
            List.of("template", release, Binaries.chart().toString(), "--namespace", namespace));
    args.addAll(Arrays.asList(setArgs));
    String yaml = Binaries.helm(null, args.toArray(String[]::new)).requireSuccess().output();
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) continue;
      objects.add(SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class));
    }
    return new RenderedChart(objects);
  }

  public List<GenericKubernetesResource> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
  }

  public GenericKubernetesResource only(String kind) {
    List<GenericKubernetesResource> found = ofKind(kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", rendered " + found.size());
    }
    return found.get(0);
  }

  /** The RBAC objects and ServiceAccount: what a cluster admin applies for the operator. */
  public List<GenericKubernetesResource> identityAndRbac() {
    var kinds =
        List.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    return objects.stream().filter(o -> kinds.contains(o.getKind())).toList();
  }

  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> rules(GenericKubernetesResource role) {
    return (List<Map<String, Object>>) role.getAdditionalProperties().get("rules");
  }
}
