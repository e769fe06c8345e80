package io.distillery.mdt.model;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.TrainerConfig;
import io.distillery.config.TrainerConfig.ModelSpec;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes and loads flow-model artifacts (teacher or student) through the digest-verified {@link
 * ArtifactWriter}: {@code weights.safetensors} plus {@code model.json} holding the {@link
 * ModelCard}, plus any extra files (loss curves, previews).
 *
 * <p>The artifact digest covers model.json and the files the card names (the weights and, for a
 * TorchScript student, the module): the same training gives the same digest. The run's provenance
 * ({@link #PROVENANCE_KEYS} of the card's {@code training}: command line, date, device, image,
 * config, object-storage endpoint: they differ between runs of the same training, the config by its
 * output paths) goes to the record {@value #PROVENANCE}, and the extra files are records too
 * (listed and verified, outside the digest).
 */
public final class ModelArtifacts {
  public static final String WEIGHTS = "weights.safetensors";

  /** The model.json field naming the card's format version (absent in version 1). */
  public static final String VERSION_FIELD = "version";

  /**
   * The record holding how the artifact was made: command line, date, device, and for a trained
   * artifact the image, the full effective config and the object-storage endpoint it used.
   */
  public static final String PROVENANCE = "provenance.json";

  /** Keys of a card's {@code training} that describe the run, not the model. */
  public static final List<String> PROVENANCE_KEYS =
      List.of("command", "date", "device", "image", "config", "objectStorage");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The model.json kinds this code reads. */
  private static final List<String> KINDS =
      List.of(
          ModelCard.FLOW_TRANSFORMER,
          ModelCard.SPARSE_FLOW_TRANSFORMER,
          ModelCard.TORCHSCRIPT,
          ModelCard.SPARSE_TORCHSCRIPT);

  private ModelArtifacts() {}

  /** Writes extra files into the staged artifact before it is committed. */
  @FunctionalInterface
  public interface Extras {
    void write(ArtifactWriter writer) throws IOException;

    static Extras none() {
      return w -> {};
    }
  }

  /** Writes the artifact at {@code target}; it appears only when complete. */
  public static Artifact write(Path target, ModelCard card, Weights weights, Extras extras)
      throws IOException {
    try (ArtifactWriter w = ArtifactWriter.create(target)) {
      weights.save(w.path(card.weights()));
      extras.write(w);
      ObjectNode json = JSON.valueToTree(card);
      json.put(VERSION_FIELD, ModelCard.formatVersion(card.kind()));
      ObjectNode provenance = JSON.createObjectNode();
      if (json.get("training") instanceof ObjectNode training) {
        for (String key : PROVENANCE_KEYS) {
          if (training.has(key)) {
            provenance.set(key, training.remove(key));
          }
        }
      }
      if (!provenance.isEmpty()) {
        w.writeRecordJson(PROVENANCE, provenance);
      }
      w.modelJson(json);
      w.digestOnly(
          card.isTorchScript()
              ? List.of(card.weights(), ModelCard.TORCHSCRIPT_FILE)
              : List.of(card.weights()));
      return w.commit();
    }
  }

  /** A verified artifact's model, ready to run on {@code device}. */
  public record Loaded(VelocityModel model, ModelCard card, Artifact artifact)
      implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  /** A verified artifact's sparse appearance flow, to be bound to a structure before use. */
  /**
   * Opens and verifies {@code dir} and loads its transformer; a corrupt or foreign artifact fails
   * naming the file.
   */
  public static Loaded load(Path dir, Device device) throws IOException {
    return load(Artifact.open(dir), device);
  }

  /**
   * Loads the model of an opened (verified) artifact: a built-in transformer with its weights (the
   * dense structure flow, or the sparse appearance flow, a {@link StructureBound} model: see {@link
   * ModelCard#stage()}), or a TorchScript student's module with its distilled weights copied in.
   */
  public static Loaded load(Artifact artifact, Device device) throws IOException {
    Path dir = artifact.dir();
    ModelCard card = card(artifact);
    Weights weights = Weights.load(artifact.file(card.weights()), device);
    if (card.isTorchScript()) {
      try (weights) {
        return new Loaded(torchScript(artifact, card, weights, device), card, artifact);
      }
    }
    try {
      VelocityModel model =
          ModelCard.SPARSE_FLOW_TRANSFORMER.equals(card.kind())
              ? SparseFlowTransformer.withWeights(card.model(), weights)
              : FlowTransformer.withWeights(card.model(), weights);
      return new Loaded(model, card, artifact);
    } catch (RuntimeException e) {
      weights.close();
      throw new CorruptArtifactException(
          card.weights(),
          dir + ": " + card.weights() + " does not fit model.json: " + e.getMessage());
    }
  }

  private static VelocityModel torchScript(
      Artifact artifact, ModelCard card, Weights weights, Device device) throws IOException {
    ModelSpec spec = card.model();
    Shape shape = new Shape(spec.channels, spec.resolution, spec.resolution, spec.resolution);
    Path file = artifact.file(ModelCard.TORCHSCRIPT_FILE);
    VelocityModel module =
        card.stage() == TrainerConfig.Stage.APPEARANCE
            ? SparseTorchScriptTeacher.load(file, shape, spec.numClasses, device)
            : TorchScriptTeacher.load(file, shape, spec.numClasses, device);
    try {
      module.weights().copyFrom(weights);
      module.weights().requireGradients(false);
      return module;
    } catch (RuntimeException e) {
      module.close();
      throw new CorruptArtifactException(
          card.weights(),
          artifact.dir()
              + ": "
              + card.weights()
              + " does not fit "
              + ModelCard.TORCHSCRIPT_FILE
              + ": "
              + e.getMessage());
    }
  }

  /** E.g. "flow-transformer versions 1-2, sparse-flow-transformer version 1, ...". */
  private static String readableVersions() {
    return String.join(
        ", ",
        KINDS.stream()
            .map(
                k -> {
                  int v = ModelCard.formatVersion(k);
                  return k + (v == 1 ? " version 1" : " versions 1-" + v);
                })
            .toList());
  }

  /** The card of an opened artifact. */
  public static ModelCard card(Artifact artifact) throws IOException {
    JsonNode json = artifact.modelJson();
    String kind = json.path("kind").asText();
    if (PipelineCard.KIND.equals(kind)) {
      throw new UnsupportedArtifactException(
          artifact.dir()
              + " is a two-stage pipeline, not one model: only mdt sample and mdt serve run a pipeline; give"
              + " this command one of its stages ("
              + String.join(
                  ", ",
                  Pipelines.declaredStages(artifact.dir()).values().stream()
                      .map(Path::toString)
                      .toList())
              + ")");
    }
    if (!KINDS.contains(kind)) {
      throw new UnsupportedArtifactException(
          artifact.dir()
              + ": model.json kind is '"
              + json.path("kind").asText()
              + "', expected one of "
              + KINDS);
    }
    int version = json.path(VERSION_FIELD).asInt(1);
    if (version < 1 || version > ModelCard.formatVersion(kind)) {
      throw new UnsupportedArtifactException(
          artifact.dir()
              + ": model.json is "
              + kind
              + " version "
              + json.path(VERSION_FIELD).asText()
              + "; this mdt reads "
              + readableVersions()
              + " (retrain it with this mdt, or use the mdt that wrote it)");
    }
    try {
      return JSON.treeToValue(json, ModelCard.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON,
          artifact.dir() + ": model.json is not a model card: " + e.getMessage());
    }
  }
}
