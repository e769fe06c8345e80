package io.distillery.mdt.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.TrainerConfig.Stage;
import io.distillery.mdt.artifact.Artifact;
import io.distillery.mdt.artifact.ArtifactWriter;
import io.distillery.mdt.artifact.CorruptArtifactException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes and opens two-stage pipeline artifacts ({@link PipelineCard}): a structure model and an
 * appearance model that generate together, pinned by digest so that a retrained or changed stage is
 * refused rather than silently paired with the other.
 */
public final class Pipelines {
  public static final String STRUCTURE = "structure";
  public static final String APPEARANCE = "appearance";

  /** RGB: the appearance samples become vertex colours. */
  static final int COLOUR_CHANNELS = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Pipelines() {}

  /** An opened pipeline: its own artifact and card, and both verified stage artifacts. */
  public record Pipeline(
      Artifact artifact,
      PipelineCard card,
      Artifact structure,
      ModelCard structureCard,
      Artifact appearance,
      ModelCard appearanceCard) {}

  /** Whether an opened artifact is a pipeline (model.json kind {@value PipelineCard#KIND}). */
  public static boolean isPipeline(Artifact artifact) {
    return PipelineCard.KIND.equals(artifact.modelJson().path("kind").asText());
  }

  /**
   * Checks both stages and writes the pipeline at {@code target}; it appears only when complete.
   * The stage paths are stored as given; a relative one is relative to {@code target}.
   */
  public static Artifact write(Path target, Path structure, Path appearance, double threshold)
      throws IOException {
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
    }
    Path dir = target.toAbsolutePath().normalize();
    Artifact s = openStage(dir, STRUCTURE, ref(structure, ""));
    Artifact a = openStage(dir, APPEARANCE, ref(appearance, ""));
    check(s, ModelArtifacts.card(s), a, ModelArtifacts.card(a));
    PipelineCard card =
        PipelineCard.of(ref(structure, s.digest()), ref(appearance, a.digest()), threshold);
    try (ArtifactWriter w = ArtifactWriter.create(target)) {
      w.modelJson(JSON.valueToTree(card));
      return w.commit();
    }
  }

  /** Opens and verifies {@code dir} and both of its stages. */
  public static Pipeline open(Path dir) throws IOException {
    return open(Artifact.open(dir));
  }

  /**
   * Checks an opened pipeline artifact: both stages open and verify, each has the digest the
   * pipeline recorded, and they are a structure and an appearance model on the same grid and
   * classes.
   */
  public static Pipeline open(Artifact pipeline) throws IOException {
    PipelineCard card = card(pipeline);
    Path dir = pipeline.dir().toAbsolutePath().normalize();
    Artifact s = openStage(dir, STRUCTURE, card.stages().structure());
    Artifact a = openStage(dir, APPEARANCE, card.stages().appearance());
    requireDigest(pipeline, STRUCTURE, card.stages().structure(), s);
    requireDigest(pipeline, APPEARANCE, card.stages().appearance(), a);
    ModelCard sc = ModelArtifacts.card(s);
    ModelCard ac = ModelArtifacts.card(a);
    check(s, sc, a, ac);
    return new Pipeline(pipeline, card, s, sc, a, ac);
  }

  private static PipelineCard card(Artifact pipeline) throws IOException {
    JsonNode json = pipeline.modelJson();
    if (!isPipeline(pipeline)) {
      throw new UnsupportedArtifactException(
          pipeline.dir()
              + ": model.json kind is '"
              + json.path("kind").asText()
              + "', expected '"
              + PipelineCard.KIND
              + "'");
    }
    int version = json.path("version").asInt(0);
    if (version != PipelineCard.VERSION) {
      throw new UnsupportedArtifactException(
          pipeline.dir()
              + ": model.json is pipeline version "
              + (json.has("version") ? json.get("version").asText() : "(none)")
              + "; this mdt reads version "
              + PipelineCard.VERSION);
    }
    PipelineCard card;
    try {
      card = JSON.treeToValue(json, PipelineCard.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON,
          pipeline.dir() + ": model.json is not a pipeline: " + e.getMessage());
    }
    if (card.stages() == null
        || !complete(card.stages().structure())
        || !complete(card.stages().appearance())) {
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON,
          pipeline.dir()
              + ": model.json lacks stages.structure or stages.appearance (each a path and a"
              + " digest)");
    }
    return card;
  }

  private static boolean complete(PipelineCard.StageRef ref) {
    return ref != null && ref.path() != null && ref.digest() != null;
  }

  private static PipelineCard.StageRef ref(Path path, String digest) {
    return new PipelineCard.StageRef(path.toString(), digest);
  }

  /** Opens a stage artifact; every failure names the stage. */
  private static Artifact openStage(Path pipelineDir, String stage, PipelineCard.StageRef ref)
      throws IOException {
    Path dir = ref.resolve(pipelineDir);
    try {
      return Artifact.open(dir);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          dir.toString(), null, "the " + stage + " stage: no artifact directory");
    } catch (UnsupportedArtifactException e) {
      throw new UnsupportedArtifactException("the " + stage + " stage: " + e.getMessage());
    } catch (CorruptArtifactException e) {
      throw new CorruptArtifactException(e.file(), "the " + stage + " stage: " + e.getMessage());
    }
  }

  private static void requireDigest(
      Artifact pipeline, String stage, PipelineCard.StageRef ref, Artifact opened)
      throws CorruptArtifactException {
    if (!Objects.equals(ref.digest(), opened.digest())) {
      throw new CorruptArtifactException(
          Artifact.MODEL_JSON,
          pipeline.dir()
              + ": the "
              + stage
              + " stage "
              + opened.dir()
              + " has digest "
              + opened.digest()
              + ", the pipeline recorded "
              + ref.digest()
              + " (the stage was retrained or changed since the pipeline was made; make the"
              + " pipeline again with mdt pipeline)");
    }
  }

  /** A structure model first, an appearance model second, on the same grid and classes. */
  static void check(Artifact s, ModelCard sc, Artifact a, ModelCard ac)
      throws UnsupportedArtifactException {
    if (sc.stage() != Stage.STRUCTURE) {
      throw new UnsupportedArtifactException(
          "the structure stage "
              + s.dir()
              + " is an appearance model (kind "
              + sc.kind()
              + "); it must be a structure model"
              + (ac.stage() == Stage.STRUCTURE ? " (are the two stages swapped?)" : ""));
    }
    if (sc.model().channels != 1) {
      throw new UnsupportedArtifactException(
          "the structure stage "
              + s.dir()
              + " has "
              + sc.model().channels
              + " channels; a structure model has 1 (occupancy)");
    }
    if (ac.stage() != Stage.APPEARANCE) {
      throw new UnsupportedArtifactException(
          "the appearance stage "
              + a.dir()
              + " is a structure model (kind "
              + ac.kind()
              + "); it must be an appearance model (kind "
              + ModelCard.SPARSE_FLOW_TRANSFORMER
              + ")");
    }
    if (ac.model().channels != COLOUR_CHANNELS) {
      throw new UnsupportedArtifactException(
          "the appearance stage "
              + a.dir()
              + " has "
              + ac.model().channels
              + " channels; the pipeline writes RGB colours, which need "
              + COLOUR_CHANNELS);
    }
    if (sc.model().resolution != ac.model().resolution) {
      throw new UnsupportedArtifactException(
          "the appearance stage "
              + a.dir()
              + " has resolution "
              + ac.model().resolution
              + ", the structure stage "
              + s.dir()
              + " has "
              + sc.model().resolution
              + "; both stages must work on the same grid");
    }
    if (!Objects.equals(sc.classNames(), ac.classNames())
        || sc.model().numClasses != ac.model().numClasses) {
      throw new UnsupportedArtifactException(
          "the appearance stage "
              + a.dir()
              + " has classes "
              + ac.classNames()
              + " ("
              + ac.model().numClasses
              + "), the structure stage "
              + s.dir()
              + " has "
              + sc.classNames()
              + " ("
              + sc.model().numClasses
              + ")"
              + "; both stages must know the same classes in the same order");
    }
  }

  /**
   * The stage directories that {@code dir}'s model.json names if it is a pipeline, unverified (for
   * guards that must not overwrite a stage); empty for anything else.
   */
  public static Map<String, Path> declaredStages(Path dir) {
    Map<String, Path> out = new LinkedHashMap<>();
    try {
      JsonNode json = JSON.readTree(dir.resolve(Artifact.MODEL_JSON).toFile());
      if (PipelineCard.KIND.equals(json.path("kind").asText())) {
        Path base = dir.toAbsolutePath().normalize();
        for (String stage : List.of(STRUCTURE, APPEARANCE)) {
          String path = json.path("stages").path(stage).path("path").asText("");
          if (!path.isEmpty()) {
            out.put(stage, new PipelineCard.StageRef(path, null).resolve(base));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not a readable pipeline: no stages to protect.
    }
    return out;
  }
}
