package io.distillery.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Descriptions the CRD generator leaves out: of each kind and of its {@code spec} and {@code
 * status} (what {@code kubectl explain} prints), taken from their types' {@link
 * JsonClassDescription}. The generator reads only property descriptions.
 */
public final class KindDescriptions {
  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "DistillationJob", DistillationJob.class, "StudentDeployment", StudentDeployment.class);

  private KindDescriptions() {}

  public static void apply(CustomResourceDefinition crd) {
    Class<?> kind = KINDS.get(crd.getSpec().getNames().getKind());
    if (kind == null) {
      return;
    }
    Type[] specAndStatus =
        ((ParameterizedType) kind.getGenericSuperclass()).getActualTypeArguments();
    for (var version : crd.getSpec().getVersions()) {
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      root.setDescription(of(kind));
      root.getProperties().get("spec").setDescription(of((Class<?>) specAndStatus[0]));
      root.getProperties().get("status").setDescription(of((Class<?>) specAndStatus[1]));
    }
  }

  private static String of(Class<?> type) {
    JsonClassDescription d = type.getAnnotation(JsonClassDescription.class);
    return d == null ? null : d.value();
  }
}
