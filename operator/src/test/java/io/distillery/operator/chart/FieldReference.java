package io.distillery.operator.chart;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The user's field reference of a CRD, generated from its schema descriptions: one Markdown table
 * row per described field of spec and status (nested paths, {@code []} for list items), with its
 * type, default and bounds. Undescribed fields (e.g. Kubernetes' own affinity structure) are left
 * out; their parent's row describes them.
 */
final class FieldReference {
  private FieldReference() {}

  static String markdown(CustomResourceDefinition crd) {
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> rows = new ArrayList<>();
    rows.add("| Field | Type | Description |");
    rows.add("|---|---|---|");
    for (String top : List.of("spec", "status")) {
      JSONSchemaProps p = root.getProperties().get(top);
      if (p != null) walk(top, p, rows);
    }
    return String.join("\n", rows) + "\n";
  }

  private static void walk(String path, JSONSchemaProps schema, List<String> rows) {
    Map<String, JSONSchemaProps> props = schema.getProperties();
    if (props == null) return;
    for (var e : props.entrySet()) {
      JSONSchemaProps child = e.getValue();
      if (child.getDescription() == null) continue;
      String childPath = path + "." + e.getKey();
      rows.add(
          "| `"
              + childPath
              + "` | "
              + type(child)
              + " | "
              + escape(child.getDescription())
              + constraints(child)
              + " |");
      walk(childPath, child, rows);
      if (child.getItems() != null && child.getItems().getSchema() != null) {
        walk(childPath + "[]", child.getItems().getSchema(), rows);
      }
    }
  }

  private static String type(JSONSchemaProps p) {
    if (Boolean.TRUE.equals(p.getXKubernetesIntOrString())) return "int or string";
    if ("array".equals(p.getType()) && p.getItems() != null && p.getItems().getSchema() != null) {
      return "list of " + p.getItems().getSchema().getType();
    }
    if ("object".equals(p.getType())
        && p.getAdditionalProperties() != null
        && p.getAdditionalProperties().getSchema() != null) {
      return "map of " + p.getAdditionalProperties().getSchema().getType();
    }
    return p.getType();
  }

  private static String constraints(JSONSchemaProps p) {
    List<String> c = new ArrayList<>();
    if (p.getDefault() != null)
      c.add("default `" + p.getDefault().toString().replace("\"", "") + "`");
    if (p.getEnum() != null && !p.getEnum().isEmpty()) {
      c.add(
          "one of "
              + String.join(
                  ", ",
                  p.getEnum().stream()
                      .map(v -> "`" + v.toString().replace("\"", "") + "`")
                      .toList()));
    }
    if (p.getMinimum() != null) {
      c.add((Boolean.TRUE.equals(p.getExclusiveMinimum()) ? "> " : ">= ") + number(p.getMinimum()));
    }
    if (p.getMaximum() != null) {
      c.add((Boolean.TRUE.equals(p.getExclusiveMaximum()) ? "< " : "<= ") + number(p.getMaximum()));
    }
    if (p.getMaxLength() != null) c.add("at most " + p.getMaxLength() + " characters");
    if (p.getMaxItems() != null) c.add("at most " + p.getMaxItems() + " items");
    return c.isEmpty() ? "" : " (" + String.join("; ", c) + ")";
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
