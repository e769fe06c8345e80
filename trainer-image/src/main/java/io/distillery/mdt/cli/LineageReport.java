package io.distillery.mdt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.PipelineCard;
import io.distillery.mdt.model.Pipelines;
import io.distillery.mdt.train.Lineage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code mdt info --model DIR} prints: the artifact's digest, its lineage ({@code
 * training.lineage} of model.json) and, from provenance.json, how and where it was made.
 */
final class LineageReport {
  static final String NOT_RECORDED =
      "lineage: not recorded (a bundled model, or an artifact written before mdt recorded lineage)";

  private static final ObjectMapper JSON = new ObjectMapper();

  private LineageReport() {}

  /** Opens (and verifies) {@code dir} and prints its lineage. */
  static void print(Path dir, PrintWriter out) throws IOException {
    Artifact artifact = Artifact.open(dir);
    JsonNode model = artifact.modelJson();
    String kind = model.path("kind").asText();
    out.printf("artifact %s%n  kind %s%n  digest %s%n", dir, kind, artifact.digest());
    if (PipelineCard.KIND.equals(kind)) {
      out.println("lineage: a pipeline records none itself; see each stage's:");
      Pipelines.declaredStages(dir).forEach((stage, p) -> out.printf("  %s %s%n", stage, p));
      return;
    }
    out.printf("  role %s%n", model.path("role").asText("-"));
    JsonNode lineage = model.path("training").path(Lineage.KEY);
    JsonNode provenance =
        artifact.records().contains(ModelArtifacts.PROVENANCE)
            ? JSON.readTree(artifact.file(ModelArtifacts.PROVENANCE).toFile())
            : JSON.createObjectNode();
    if (lineage.isMissingNode()) {
      out.println(NOT_RECORDED);
    } else {
      out.println("lineage");
      JsonNode teacher = lineage.path("teacher");
      if (!teacher.isMissingNode()) {
        out.printf(
            "  teacher %s %s%n", teacher.path("uri").asText("-"), teacher.path("digest").asText());
      }
      JsonNode data = lineage.path("dataset");
      out.printf(
          "  dataset %s %s (%s)%n",
          data.path("uri").asText("-"),
          data.path("digest").asText("-"),
          data.path("how").asText("-"));
      out.printf("  code %s%n", lineage.path("codeVersion").asText("-"));
      JsonNode seeds = lineage.path("seeds");
      List<String> s = new ArrayList<>();
      seeds.fields().forEachRemaining(e -> s.add(e.getKey() + " " + e.getValue().asText()));
      out.printf("  seeds %s%n", s.isEmpty() ? "-" : String.join(", ", s));
    }
    out.printf("  image %s%n", provenance.path("image").asText("not recorded"));
    JsonNode config = provenance.path("config");
    if (!config.isMissingNode()) {
      out.printf("  config %s%n", configSummary(config));
    }
    if (provenance.has("date")) {
      out.printf(
          "  made %s on %s: %s%n",
          provenance.path("date").asText(),
          provenance.path("device").asText("-"),
          provenance.path("command").asText("-"));
    }
    out.flush();
  }

  /** The settings that tell runs apart; the full config is in provenance.json. */
  static String configSummary(JsonNode c) {
    JsonNode h = c.path("hyperparameters");
    List<String> parts = new ArrayList<>();
    add(parts, "stage", c.path("stage"));
    add(parts, "method", c.path("method"));
    add(parts, "studentSteps", c.path("studentSteps"));
    add(parts, "maxSteps", h.path("maxSteps"));
    add(parts, "batchSize", h.path("batchSize"));
    add(parts, "learningRate", h.path("learningRate"));
    add(parts, "output", c.path("output").path("dir"));
    return String.join(", ", parts) + " (full config in " + ModelArtifacts.PROVENANCE + ")";
  }

  private static void add(List<String> parts, String name, JsonNode v) {
    if (!v.isMissingNode() && !v.isNull()) {
      parts.add(name + " " + (v.isValueNode() ? v.asText() : v.toString()));
    }
  }
}
