package io.distillery.mdt.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.flow.SamplerSettings;
import io.distillery.mdt.model.ModelArtifacts;
import io.distillery.mdt.model.Pipelines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The body of {@code GET /v1/model}: digest, role, architecture, step counts, guidance, class
 * names, resolution, channels, the most samples one request may ask for ({@code maxCount}), and,
 * when the artifact has an evaluation report, its metrics, speedup and gate.
 *
 * <p>The report is {@code report.json} or {@code result.json} among the artifact's verified files
 * (the manifest lists it; {@link Artifact#open} refuses a directory with unlisted files), else the
 * {@code result.json} that {@code mdt distill} writes beside the artifact when its {@code digest}
 * is this artifact's. It is passed through as {@code evaluation} (for {@code result.json}: {@code
 * metrics} per step count, {@code speedup}, {@code gate}; for an {@code mdt evaluate} report: its
 * {@code rows}); without one the field is omitted.
 *
 * <p>For a two-stage pipeline: {@code kind} and {@code role} are {@code pipeline}, {@code digest}
 * is the pipeline's, {@code threshold} its occupancy threshold, {@code steps.allowed} the counts
 * both stages serve, {@code nfePerSample} both stages' evaluations, {@code channels} 1 (occupancy)
 * and {@code colourChannels} 3, and {@code stages.structure} / {@code stages.appearance} each give
 * the stage's digest, kind, role, architecture, step counts, guidance and CFG strength. For two
 * stage directories served together ({@code --appearance}) {@code digest} is their {@link
 * PairDigest}, {@code digestOf} is {@code stages} and there is no {@code evaluation}.
 */
final class ModelInfo {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelInfo() {}

  /** {@code maxCount}: most samples one generate request may ask for ({@code --max-count}). */
  static ObjectNode of(ServingModel model, int maxCount) {
    ObjectNode o = model.pipeline() != null ? pipeline(model) : single(model);
    o.put("maxCount", maxCount);
    return o;
  }

  private static ObjectNode single(ServingModel model) {
    ObjectNode o = JSON.createObjectNode();
    o.put("digest", model.digest());
    o.put("role", model.card().role());
    o.put("kind", model.card().kind());
    o.set("architecture", JSON.valueToTree(model.card().model()));
    ObjectNode steps = o.putObject("steps");
    steps.put("default", model.defaultSteps());
    steps.set("allowed", JSON.valueToTree(model.allowedSteps()));
    o.put("nfePerSample", model.settings(model.defaultSteps()).nfe());
    o.put("guidanceBakedIn", model.card().guidanceBakedIn());
    o.put("cfgStrength", model.settings(model.defaultSteps()).cfgStrength());
    o.set("classes", JSON.valueToTree(model.classNames()));
    o.put("resolution", model.resolution());
    o.put("channels", model.channels());
    JsonNode report = report(model.artifact());
    if (report != null) {
      o.set("evaluation", report);
    }
    return o;
  }

  private static ObjectNode pipeline(ServingModel model) {
    PipelineStages p = model.pipeline();
    int steps = model.defaultSteps();
    ObjectNode o = JSON.createObjectNode();
    o.put("digest", model.digest());
    o.put("role", model.role());
    o.put("kind", p.pipeline().card().kind());
    if (model.pair()) {
      // Two stage directories: no pipeline artifact of their own, the digest is their pair's.
      o.put("digestOf", "stages");
    }
    o.put("threshold", p.threshold());
    ObjectNode st = o.putObject("steps");
    st.put("default", steps);
    st.set("allowed", JSON.valueToTree(model.allowedSteps()));
    SamplerSettings s1 = ServingModel.settings(p.structure().card(), steps);
    SamplerSettings s2 = ServingModel.settings(p.appearance().card(), steps);
    o.put("nfePerSample", s1.nfe() + s2.nfe());
    o.set("classes", JSON.valueToTree(model.classNames()));
    o.put("resolution", model.resolution());
    o.put("channels", 1);
    o.put("colourChannels", model.channels() - 1);
    ObjectNode stages = o.putObject("stages");
    stage(stages.putObject(Pipelines.STRUCTURE), p.structure(), s1);
    stage(stages.putObject(Pipelines.APPEARANCE), p.appearance(), s2);
    JsonNode report = model.pair() ? null : report(model.artifact());
    if (report != null) {
      o.set("evaluation", report);
    }
    return o;
  }

  private static void stage(ObjectNode o, ModelArtifacts.Loaded stage, SamplerSettings s) {
    o.put("digest", stage.artifact().digest());
    o.put("role", stage.card().role());
    o.put("kind", stage.card().kind());
    o.set("architecture", JSON.valueToTree(stage.card().model()));
    o.set("allowedSteps", JSON.valueToTree(ServingModel.allowedSteps(stage.card())));
    o.put("guidanceBakedIn", stage.card().guidanceBakedIn());
    o.put("cfgStrength", s.cfgStrength());
    o.put("nfePerSample", s.nfe());
  }

  /** The evaluation report of a verified artifact, or null. */
  static JsonNode report(Artifact artifact) {
    for (String name : new String[] {"report.json", "result.json"}) {
      if (artifact.has(name)) {
        JsonNode r = readObject(artifact.file(name));
        if (r != null) {
          return r;
        }
      }
    }
    String digest = artifact.digest();
    Path parent = artifact.dir().toAbsolutePath().getParent();
    JsonNode beside = parent == null ? null : readObject(parent.resolve("result.json"));
    if (beside != null && digest.equals(beside.path("digest").asText())) {
      return beside;
    }
    return null;
  }

  private static JsonNode readObject(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }
}
